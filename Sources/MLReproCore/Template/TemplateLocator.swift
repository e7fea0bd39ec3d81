import Foundation

/// Finds the template named by `--template`: a built-in name, or a local directory.
package enum TemplateLocator {
    /// True for git URLs (`https://…`, `git@…`, `ssh://…`, `git+…`, `….git`).
    package static func isGitURL(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("git@")
            || lower.hasPrefix("ssh://") || lower.hasPrefix("git://") || lower.hasPrefix("git+")
            || lower.hasPrefix("gh:") || lower.hasPrefix("gl:") || (lower.hasSuffix(".git") && !FileManager.default.fileExists(atPath: source))
    }

    /// `namedOnCommandLine`: `source` is `--template` as typed, not a project's record, so a
    /// small folder without a manifest is read as a template without questions.
    package static func locate(_ source: String?, vcsRef: String? = nil,
                              workingDirectory: String = FileManager.default.currentDirectoryPath,
                              git: GitTemplateLoader = GitTemplateLoader(), namedOnCommandLine: Bool = false) throws -> TemplateTree {
        var tree = try find(source, vcsRef: vcsRef, workingDirectory: workingDirectory, git: git,
                            namedOnCommandLine: namedOnCommandLine)
        tree.requestedSource = source
        tree.formatPreference = git.format
        return tree
    }

    private static func find(_ source: String?, vcsRef: String?, workingDirectory: String,
                             git: GitTemplateLoader, namedOnCommandLine: Bool) throws -> TemplateTree {
        let name = source ?? BuiltinTemplates.defaultName
        if let source {
            let kind = try TemplateSource.classify(source, relativeTo: workingDirectory)
            if case .localRepository(let path) = kind {
                return try git.load(kind, spec: path, ref: vcsRef, namedOnCommandLine: namedOnCommandLine)
            }
            if kind.isGit { return try git.load(kind, spec: source, ref: vcsRef, namedOnCommandLine: namedOnCommandLine) }
        }
        if vcsRef != nil { throw GitTemplateError.refNeedsGit(name) }
        let looksLikePath = name.contains("/") || name.hasPrefix(".") || name.hasPrefix("~")
        if !looksLikePath, let tree = BuiltinTemplates.tree(named: name), tree.manifestName != nil {
            return tree
        }
        let expanded = TemplateSource.expandingTilde(name)
        let path = expanded.hasPrefix("/") ? expanded : workingDirectory + "/" + expanded
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory), isDirectory.boolValue {
            return try TemplateTree.read(directory: standardized, source: standardized, namedOnCommandLine: namedOnCommandLine)
        }
        var tried = looksLikePath ? [] : ["built-in templates: " + (BuiltinTemplates.names.isEmpty ? "(none in this build)" : BuiltinTemplates.names.joined(separator: ", "))]
        tried.append("directory \(standardized)")
        throw GenerationError.templateNotFound(name, tried: tried)
    }

    /// How a project at `destination` records `tree` as `_template`: a template folder beside the
    /// project (somewhere below the project's parent folder, not inside the project) relative to the
    /// project, `../tpl`, so that the two can move together; everything else as its source.
    package static func recordedName(of tree: TemplateTree, destination: String) -> String {
        guard tree.revision == nil, !tree.origin.hasPrefix("built-in:"), tree.source.hasPrefix("/") else { return tree.source }
        let project = URL(fileURLWithPath: destination).standardizedFileURL.path
        let parent = (project as NSString).deletingLastPathComponent
        let template = tree.source
        guard parent != "/", template.hasPrefix(parent + "/"), template != project, !template.hasPrefix(project + "/") else {
            return tree.source
        }
        return "../" + template.dropFirst(parent.count + 1)
    }

    /// A relative `_template` of a project's record (`../tpl`), as an absolute path from the project
    /// it was recorded for; other names as they are.
    package static func resolveRecorded(_ name: String, project: String) -> String {
        guard name.hasPrefix("../") else { return name }
        return URL(fileURLWithPath: project + "/" + name).standardizedFileURL.path
    }
}
