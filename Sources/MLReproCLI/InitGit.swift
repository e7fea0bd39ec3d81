import MLReproCore

/// The git step of `init`: one commit of the generated project, and what it tells the user.
enum InitGit {
    /// Reports the commit made in the staging directory, or makes it now when DEST existed
    /// with content before (`--force`): then only the files the template wrote are committed,
    /// never the user's own files beside them.
    static func report(_ staged: GeneratedRepository.Outcome?, destination: String, tree: TemplateTree,
                       written: CommitReport, quiet: Bool) throws {
        let outcome = try staged ?? GeneratedRepository.commit(
            at: destination, template: tree.source, ref: GeneratedRepository.refLabel(for: tree),
            paths: written.created + written.overwritten + written.identical)
        switch outcome {
        case let .committed(commit, author, usedFallback):
            if usedFallback {
                Diagnostics.standard.note("committed as '\(author)': set git config user.name and user.email to commit as yourself")
            }
            if !quiet { Output.line("    commit  \(commit.prefix(7)) (git repository initialised)") }
        case let .insideRepository(root):
            if !quiet {
                Diagnostics.standard.note("\(destination) is inside the git repository \(root); no repository or commit was made")
            }
        }
    }
}
