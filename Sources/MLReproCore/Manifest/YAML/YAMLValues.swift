import Foundation
import TemplateEngine
import Yams

/// A position in a source file, 1-based, as editors and compilers print it.
package struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String { "\(file):\(line):\(column)" }
}

/// A YAML (or JSON) error with the place it was found.
package struct YAMLValueError: Error, Sendable, CustomStringConvertible {
    package var location: SourceLocation
    package var message: String

    package var description: String { "\(location): error: \(message)" }
}

/// Turns YAML or JSON text into template values, keeping mapping order and source marks.
///
/// Limits keep hostile input cheap: input size, scalar size, nesting depth and the number of
/// values produced (which also bounds alias expansion).
package struct YAMLValueReader: Sendable {
    package var file: String
    package static let defaultMaxBytes = 8 * 1024 * 1024
    package var maxBytes = defaultMaxBytes
    package var maxDepth = 64
    package var maxValues = 200_000
    /// Bytes of one scalar (an answer, a default): longer values are refused, not processed.
    package var maxScalarBytes = 1024 * 1024

    package init(file: String) { self.file = file }

    /// Parses `text` into its root node (nil for an empty document).
    package func parse(_ text: String) throws -> Node? {
        if text.utf8.count > maxBytes {
            throw YAMLValueError(location: location(line: 1, column: 1),
                                 message: "file is larger than \(maxBytes / (1024 * 1024)) MiB")
        }
        if let nul = text.utf8.firstIndex(of: 0) {
            let prefix = text.utf8[..<nul]
            let line = prefix.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
            throw YAMLValueError(location: location(line: line, column: 1), message: "file contains a NUL byte")
        }
        try checkNesting(text)
        do {
            // No resolver rules: plain scalars are typed by `YAMLImplicitTag` (see `scalarValue`).
            return try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw translate(error, text: text)
        }
    }

    /// Parses every document of `text` (`---` separated); empty documents are left out.
    package func parseAll(_ text: String) throws -> [Node] {
        if text.utf8.count > maxBytes {
            throw YAMLValueError(location: location(line: 1, column: 1),
                                 message: "file is larger than \(maxBytes / (1024 * 1024)) MiB")
        }
        if text.utf8.contains(0) { _ = try parse(text) }
        try checkNesting(text)
        do {
            return try Self.composeDocuments(text)
        } catch let error as YamlError {
            throw translate(error, text: text)
        }
    }

    /// Every non-empty document of `text`, or Yams' error for the first one that does not parse.
    static func composeDocuments(_ text: String) throws -> [Node] {
        // Not `Yams.compose_all`: its sequence stops at a syntax error without throwing it, so a
        // broken document would read as the end of the file.
        let parser = try Yams.Parser(yaml: text, resolver: .basic)
        var documents: [Node] = []
        while let document = try parser.nextRoot() {
            if case .scalar(let scalar) = document, scalar.string.isEmpty, document.tag.description == "tag:yaml.org,2002:null" || document.tag.description.isEmpty { continue }
            documents.append(document)
        }
        return documents
    }

    /// Reads a file as UTF-8 and parses it.
    package func parseFile(at path: String) throws -> Node? {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw YAMLValueError(location: location(line: 1, column: 1), message: "cannot read the file")
        }
        if data.count > maxBytes {
            throw YAMLValueError(location: location(line: 1, column: 1),
                                 message: "file is larger than \(maxBytes / (1024 * 1024)) MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw YAMLValueError(location: location(line: 1, column: 1), message: "file is not valid UTF-8 text")
        }
        return try parse(text)
    }

    package func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return location(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    package func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    /// Converts a node into a `Value`: mappings keep their order, scalars are typed the YAML 1.1
    /// way (ints, floats, bools, null), anything else is a string.
    package func value(_ node: Node) throws -> Value {
        var budget = maxValues
        return try convert(node, depth: 0, budget: &budget)
    }

    private func convert(_ node: Node, depth: Int, budget: inout Int) throws -> Value {
        budget -= 1
        if budget < 0 {
            throw YAMLValueError(location: location(node),
                                 message: "document expands to more than \(maxValues) values (alias bomb?)")
        }
        if depth > maxDepth {
            throw YAMLValueError(location: location(node), message: "nesting deeper than \(maxDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.string.utf8.count > maxScalarBytes {
                throw YAMLValueError(location: location(node),
                                     message: "value is longer than \(maxScalarBytes / 1024) KiB (\(scalar.string.utf8.count) bytes)")
            }
            return try scalarValue(node, scalar)
        case .sequence(let sequence):
            try checkTag(node, allowed: [Tag.Name.seq.rawValue])
            var items: [Value] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try convert(item, depth: depth + 1, budget: &budget)) }
            return .list(items)
        case .mapping(let mapping):
            try checkTag(node, allowed: [Tag.Name.map.rawValue])
            var result = OrderedMapping()
            for (key, value) in mapping {
                let name = try keyString(key)
                result[name] = try convert(value, depth: depth + 1, budget: &budget)
            }
            return .dict(result)
        case .alias:
            throw YAMLValueError(location: location(node), message: "unresolved YAML alias")
        }
    }

    /// The text of a mapping key; keys must be scalars.
    package func keyString(_ key: Node) throws -> String {
        guard case .scalar(let scalar) = key else {
            throw YAMLValueError(location: location(key), message: "mapping keys must be plain scalars")
        }
        return scalar.string
    }

    private func checkTag(_ node: Node, allowed: Set<String>) throws {
        let name = node.tag.description
        if !allowed.contains(name) {
            throw YAMLValueError(location: location(node), message: "YAML tag '\(name)' is not supported")
        }
    }

    private func scalarValue(_ node: Node, _ scalar: Node.Scalar) throws -> Value {
        // The scalar's own tag: empty for a plain untagged scalar (typed here), `!` for a
        // non-specific one (a string), else the explicit or quoted-string tag.
        var tag = scalar.tag.description
        if tag == Tag.Name.implicit.rawValue {
            tag = YAMLImplicitTag.resolve(scalar.string).rawValue
        } else if tag == Tag.Name.nonSpecific.rawValue {
            tag = Tag.Name.str.rawValue
        }
        switch tag {
        case Tag.Name.str.rawValue:
            return .string(scalar.string)
        case Tag.Name.null.rawValue:
            return .none
        case Tag.Name.bool.rawValue:
            if let bool = node.bool { return .bool(bool) }
        case Tag.Name.int.rawValue:
            if let int = node.int { return .int(int) }
            throw YAMLValueError(location: location(node), message: "integer '\(scalar.string)' is out of range")
        case Tag.Name.float.rawValue:
            if let float = node.float { return .float(float) }
        case Tag.Name.timestamp.rawValue:
            return .string(scalar.string)
        default:
            throw YAMLValueError(location: location(node), message: "YAML tag '\(tag)' is not supported")
        }
        return .string(scalar.string)
    }

    /// Refuses flow nesting deeper than the limit before libyaml sees it (its composer recurses).
    func checkNesting(_ text: String) throws {
        var depth = 0
        var line = 1
        var column = 0
        var inSingle = false
        var inDouble = false
        for byte in text.utf8 {
            column += 1
            switch byte {
            case 10: line += 1; column = 0
            case UInt8(ascii: "'") where !inDouble: inSingle.toggle()
            case UInt8(ascii: "\"") where !inSingle: inDouble.toggle()
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if !inSingle && !inDouble {
                    depth += 1
                    if depth > maxDepth {
                        throw YAMLValueError(location: location(line: line, column: column),
                                             message: "nesting deeper than \(maxDepth) levels")
                    }
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if !inSingle && !inDouble && depth > 0 { depth -= 1 }
            default: break
            }
        }
    }

    func translate(_ error: YamlError, text: String) -> YAMLValueError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return YAMLValueError(location: location(line: mark.line, column: mark.column),
                                  message: "invalid YAML: \(detail)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            // Point at the second occurrence of the first duplicated key and name the first one's line.
            if let key = duplicates.sorted().first {
                let lines = Self.keyLines(key, in: text, from: context.mark.line)
                if lines.count >= 2 {
                    return YAMLValueError(location: location(line: lines[1].line, column: lines[1].column),
                                          message: "duplicate key \(keys) in the same mapping (first at line \(lines[0].line))")
                }
            }
            return YAMLValueError(location: location(line: context.mark.line, column: context.mark.column),
                                  message: "duplicate key \(keys) in the same mapping")
        case let .reader(problem, offset, _, yaml):
            var line = 1
            var column = 1
            if let offset {
                for scalar in yaml.unicodeScalars.prefix(offset) {
                    if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
                }
            }
            return YAMLValueError(location: location(line: line, column: column), message: "invalid input: \(problem)")
        default:
            return YAMLValueError(location: location(line: 1, column: 1), message: "invalid YAML: \(error)")
        }
    }

    /// Lines (1-based) and columns where `key:` starts a block-mapping entry, from line `start` on.
    static func keyLines(_ key: String, in text: String, from start: Int) -> [(line: Int, column: Int)] {
        var found: [(line: Int, column: Int)] = []
        var indent: Int?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index + 1 >= start {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let body = line.drop { $0 == " " }
            let column = line.count - body.count
            let candidates = [key, "\"\(key)\"", "'\(key)'"]
            for candidate in candidates where body.hasPrefix(candidate) {
                let rest = body.dropFirst(candidate.count).drop { $0 == " " }
                guard rest.first == ":" else { continue }
                if indent == nil { indent = column }
                if column == indent { found.append((index + 1, column + 1)) }
            }
        }
        return found
    }
}
