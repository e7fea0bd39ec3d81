import Foundation

/// Where one template's record lives in a project. The first template applied keeps
/// `.mlrepro/answers.yml`, `checksums`, `environment.json` and its merge base under
/// `refs/mlrepro/base`; every other template applied with `init --answers-file
/// .mlrepro/answers.NAME.yml` keeps `.mlrepro/answers.NAME.yml`, `.mlrepro/checksums.NAME`,
/// `.mlrepro/environment.NAME.json` and `refs/mlrepro/records/NAME/base`. A copier answers file
/// `.copier-answers.NAME.yml` that mlrepro updates gains the same NAME's record.
package struct RecordLayout: Sendable, Equatable {
    /// NAME, or nil for the project's first record.
    package var name: String?

    package static let standard = RecordLayout(name: nil)

    package var answersPath: String { name.map { ".mlrepro/answers.\($0).yml" } ?? Provenance.answersPath }
    package var checksumsPath: String { name.map { ".mlrepro/checksums.\($0)" } ?? Provenance.checksumsPath }
    package var environmentPath: String { name.map { ".mlrepro/environment.\($0).json" } ?? Provenance.environmentPath }
    /// The git reference of the merge base (a project in a subfolder gets a suffix, see `PristineBase`).
    package var baseReference: String { name.map { "refs/mlrepro/records/\($0)/base" } ?? PristineBase.reference }
    /// The three record files, answers first.
    package var files: [String] { [answersPath, checksumsPath, environmentPath] }

    /// Why `name` cannot name a record: it must be letters, digits, `-` and `_`, starting with a
    /// letter or digit, at most 64 characters (it becomes part of file names and a git reference).
    package static func problem(withName name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.utf8.count > 64 { return "the name is longer than 64 characters" }
        guard let first = name.unicodeScalars.first, first.isASCII, CharacterSet.alphanumerics.contains(first) else {
            return "the name must start with a letter or a digit"
        }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        if !name.unicodeScalars.allSatisfy({ allowed.contains($0) }) { return "the name may hold only letters, digits, '-' and '_'" }
        return nil
    }

    /// NAME of `.mlrepro/answers.NAME.yml` (a record mlrepro writes apart); nil for any other path.
    package static func mlreproName(of relative: String) -> String? {
        name(of: relative, prefix: ".mlrepro/answers.", suffix: ".yml")
    }

    /// NAME of copier's `.copier-answers.NAME.yml` at the project's top; nil for any other path.
    static func copierName(of relative: String) -> String? {
        name(of: relative, prefix: ".copier-answers.", suffix: ".yml")
    }

    private static func name(of relative: String, prefix: String, suffix: String) -> String? {
        guard relative.hasPrefix(prefix), relative.hasSuffix(suffix), relative.count > prefix.count + suffix.count else { return nil }
        let name = String(relative.dropFirst(prefix.count).dropLast(suffix.count))
        return problem(withName: name) == nil ? name : nil
    }

    /// The layout of the record read from `relative`: `.mlrepro/answers.NAME.yml` and
    /// `.copier-answers.NAME.yml` are NAME's; every other record (`.mlrepro/answers.yml`,
    /// `.copier-answers.yml`, `.cruft.json`, a copier file elsewhere) is the standard one.
    package static func of(record relative: String?) -> RecordLayout {
        guard let relative else { return .standard }
        if let name = mlreproName(of: relative) ?? copierName(of: relative) { return RecordLayout(name: name) }
        return .standard
    }

    /// The layout `init --answers-file PATH` writes: PATH must be `.mlrepro/answers.yml` or
    /// `.mlrepro/answers.NAME.yml`.
    package static func forInit(answersFile path: String) throws -> RecordLayout {
        let normalised = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        if normalised == Provenance.answersPath { return .standard }
        if let name = mlreproName(of: normalised) { return RecordLayout(name: name) }
        var reason = "it must be \(Provenance.answersPath) or .mlrepro/answers.NAME.yml"
        if normalised.hasPrefix(".mlrepro/answers."), normalised.hasSuffix(".yml"), normalised.count > ".mlrepro/answers..yml".count {
            reason = LayoutName.explain(String(normalised.dropFirst(".mlrepro/answers.".count).dropLast(4))) ?? reason
        }
        throw RecordPlacementError("--answers-file '\(path)': \(reason)")
    }
}

/// A record `init` cannot write where it was asked to (a bad `--answers-file`, a record of that
/// name already there, a file another template of the project generates).
package struct RecordPlacementError: Error, Sendable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

private enum LayoutName {
    static func explain(_ name: String) -> String? { RecordLayout.problem(withName: name).map { "NAME '\(name)': \($0)" } }
}
