import Foundation
import TemplateEngine

/// The names copier gives its templates, which mlrepro.yml templates see too (Docs/manifest.md)
/// and cookiecutter templates do not (`TemplateManifest.copierNames`).
extension RenderingContext {
    /// Every copier name rendered before the answers are known: `_copier_conf` (the run's
    /// settings), `_copier_phase`, `_copier_python`, `_folder_name`.
    func addCopierNames(to context: inout OrderedMapping) {
        context["_copier_conf"] = .dict(OrderedMapping([
            ("dst_path", .string(destination)),
            // A local folder is a path object as in copier; `SOURCE@COMMIT` of a git template stays text.
            ("src_path", templatePath.hasPrefix("/") ? .path(templatePath) : .string(templatePath)),
            ("answers_file", .string(answersFile)),
            ("vcs_ref", vcsRef.map { .string($0) } ?? .none),
            ("vcs_ref_hash", revision.map { .string($0.commit) } ?? .none),
            ("exclude", .list([])),
            ("use_prereleases", .bool(false)),
            ("skip_if_exists", .list([])),
            ("cleanup_on_error", .bool(true)),
            ("defaults", .bool(options.defaults)),
            ("user_defaults", .dict(OrderedMapping())),
            ("overwrite", .bool(options.overwrite)),
            ("pretend", .bool(false)),
            ("quiet", .bool(false)),
            ("conflict", .string("inline")),
            ("context_lines", .int(3)),
            ("unsafe", .bool(options.unsafe)),
            ("skip_answered", .bool(false)),
            ("skip_tasks", .bool(options.skipTasks)),
            ("sep", .string("/")),
            ("os", .string("linux")),
        ]))
        // copier's phase: questions are rendered in `prompt`, files in `render`, tasks in `tasks`.
        context["_copier_phase"] = .string("prompt")
        context["_copier_python"] = .string("python3")
        context["_folder_name"] = .string(TemplatePath.lastComponent(destination))
    }

    /// `_copier_answers` (what copier records: `_commit` for a git template, `_src_path`, the asked
    /// non-secret answers) and `_copier_conf.data` (the answers as given).
    func addCopierAnswers(_ answers: ResolvedAnswers, to context: inout OrderedMapping) {
        var recorded = OrderedMapping()
        if let revision { recorded["_commit"] = .string(Self.describe(revision)) }
        recorded["_src_path"] = .string(requestedSource ?? templateSource)
        for (key, value) in answers.recorded.pairs { recorded[key] = value }
        context["_copier_answers"] = .dict(recorded)
        if case .dict(var conf)? = context["_copier_conf"] {
            conf["data"] = .dict(answers.given)
            context["_copier_conf"] = .dict(conf)
        }
    }

    /// `context` in copier's phase `phase` (`render`, `tasks`; `undefined` for messages), where
    /// it has copier's names.
    static func phase(_ phase: String, of context: OrderedMapping) -> OrderedMapping {
        guard context["_copier_phase"] != nil else { return context }
        var changed = context
        changed["_copier_phase"] = .string(phase)
        return changed
    }
}
