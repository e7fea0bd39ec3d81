import Foundation
import TemplateEngine
import Yams

/// The YAML manifest `mlrepro.yml` and `copier.yml` share: the file, its `!include`s, and the
/// settings both formats give the same value.
enum YAMLManifest {
    /// Reads the manifest `fileName` and the files it `!include`s. With `lastKeyWins`, a key
    /// repeated in one mapping keeps its last value (with a warning) instead of being an error.
    static func read(_ fileName: String, in tree: TemplateTree, lastKeyWins: Bool) throws -> TemplateManifest {
        let file = tree.displayPath(fileName)
        guard let entry = tree.entry(at: fileName), let text = String(validating: try entry.read(shownAs: file), as: UTF8.self) else {
            throw ManifestError(location: SourceLocation(file: file, line: 1, column: 1),
                                message: "the manifest is not valid UTF-8")
        }
        let reader = YAMLValueReader(file: file)
        var documents: [ManifestDocument] = []
        var budget = IncludeBudget(lastKeyWins: lastKeyWins)
        try expand(try budget.parse(text, with: reader), reader: reader, in: tree, into: &documents, depth: 0, budget: &budget)
        var manifest = try TemplateManifest.parse(documents: documents, description: TemplateManifest.firstComment(text),
                                                  fileName: fileName)
        manifest.warnings += budget.duplicates.map {
            "\($0.location): warning: key '\($0.key)' is given twice in one mapping; the last value is used"
        }
        // A template that ships both kinds of manifest copies neither.
        manifest.formatFiles = TemplateFormats.manifestFileNames
        manifest.rendersSubdirectory = true
        manifest.copierNames = true
        return manifest
    }

    /// What the `!include`s of one manifest may read together: a manifest whose included files
    /// include several files each would otherwise parse exponentially many documents.
    struct IncludeBudget {
        /// Documents in the manifest and all its included files (an `!include` counts as one).
        static let maxDocuments = 1_000
        /// Bytes of all included files together (each read counts, however often it is included).
        static let maxBytes = 16 << 20
        /// Includes inside included files.
        static let maxDepth = 16
        var documents = 0
        var bytes = 0
        /// Repeated keys keep their last value (copier) instead of being an error.
        var lastKeyWins = false
        /// The repeated keys found so far, when `lastKeyWins`.
        var duplicates: [YAMLDuplicateKey] = []

        init(lastKeyWins: Bool) { self.lastKeyWins = lastKeyWins }

        /// The documents of one manifest file, read by `reader`.
        mutating func parse(_ text: String, with reader: YAMLValueReader) throws -> [Node] {
            guard lastKeyWins else { return try reader.parseAll(text) }
            let (nodes, found) = try reader.parseAllLastKeyWins(text)
            duplicates += found
            return nodes
        }
    }

    /// Replaces each `!include PATTERN` document by the documents of the template files the glob
    /// matches (sorted; `*` within one folder, `**` across folders), as copier does. A pattern
    /// must be relative and stay inside the template; `budget` bounds the work of all includes.
    static func expand(_ nodes: [Node], reader: YAMLValueReader, in tree: TemplateTree,
                       into documents: inout [ManifestDocument], depth: Int, budget: inout IncludeBudget) throws {
        for node in nodes {
            budget.documents += 1
            if budget.documents > IncludeBudget.maxDocuments {
                throw ManifestError(location: reader.location(node),
                                    message: "the manifest and its !include files hold more than \(IncludeBudget.maxDocuments) documents")
            }
            guard node.tag.description == "!include" else {
                if case .sequence(let items) = node, items.allSatisfy({ if case .mapping = $0 { true } else { false } }) {
                    documents += items.map { ManifestDocument(reader: reader, node: $0) }
                } else {
                    documents.append(ManifestDocument(reader: reader, node: node))
                }
                continue
            }
            let location = reader.location(node)
            guard case .scalar(let scalar) = node else {
                throw ManifestError(location: location, message: "!include takes a file path or glob pattern")
            }
            let pattern = scalar.string
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            if pattern.hasPrefix("/") || parts.contains("..") || parts.isEmpty {
                throw ManifestError(location: location, message: "!include '\(pattern)': the path must be relative and inside the template")
            }
            guard parts.count <= TemplateManifest.maxPatternComponents, pattern.utf8.count <= 4000 else {
                throw ManifestError(location: location, message: "!include: a pattern may have at most \(TemplateManifest.maxPatternComponents) components and 4000 bytes")
            }
            guard depth < IncludeBudget.maxDepth else {
                throw ManifestError(location: location, message: "!include '\(pattern)': includes nest deeper than \(IncludeBudget.maxDepth) (a cycle?)")
            }
            let glob = IncludeGlob(parts)
            let matches = tree.entries.filter { !$0.isDirectory && glob.matches($0.path) }
            for entry in matches {
                budget.bytes += entry.bytes.count
                if budget.bytes > IncludeBudget.maxBytes {
                    throw ManifestError(location: location, message: "!include '\(pattern)': the included files hold more than \(IncludeBudget.maxBytes >> 20) MiB together")
                }
                let included = YAMLValueReader(file: tree.displayPath(entry.path))
                guard let text = String(validating: try entry.read(shownAs: tree.displayPath(entry.path)), as: UTF8.self) else {
                    throw ManifestError(location: included.location(line: 1, column: 1), message: "the included file is not valid UTF-8")
                }
                try expand(try budget.parse(text, with: included), reader: included, in: tree, into: &documents, depth: depth + 1,
                           budget: &budget)
            }
        }
    }
}

/// An `!include` glob (Python's `Path.glob`: `**` matches any number of folders), matched the way `PathPatterns` matches `_exclude` patterns: one pass over
/// the path's components carrying the set of pattern positions reached, so the time is linear in
/// the path's depth times the pattern's length, however many `**` the pattern holds.
struct IncludeGlob {
    /// Components as scalars; nil stands for `**` (repeats collapsed to one).
    let components: [[Unicode.Scalar]?]

    init(_ parts: [String]) {
        var components: [[Unicode.Scalar]?] = []
        for part in parts where part != "." {
            if part == "**" {
                if let last = components.last, last == nil { continue }
                components.append(nil)
            } else {
                components.append(Array(part.unicodeScalars))
            }
        }
        self.components = components
    }

    func matches(_ path: String) -> Bool {
        let count = components.count
        var states = [Bool](repeating: false, count: count + 1)
        func close(_ states: inout [Bool]) {
            for position in 0..<count where states[position] && components[position] == nil {
                states[position + 1] = true
            }
        }
        states[0] = true
        close(&states)
        for name in path.split(separator: "/") {
            let part = Array(name.unicodeScalars)
            var next = [Bool](repeating: false, count: count + 1)
            var any = false
            for position in 0..<count where states[position] {
                if let component = components[position] {
                    // A hidden name matches only a pattern that starts with a dot, as in Python's glob.
                    if part.first == "." && component.first != "." { continue }
                    if PathPatterns.wildcard(component[...], part[...]) { next[position + 1] = true; any = true }
                } else {
                    next[position] = true
                    any = true
                }
            }
            guard any else { return false }
            close(&next)
            states = next
        }
        return states[count]
    }
}
