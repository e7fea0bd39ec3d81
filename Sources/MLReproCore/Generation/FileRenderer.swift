import Dispatch
import Foundation
import Synchronization
import TemplateEngine

/// Renders (or copies) the planned files on all cores; each template file is compiled once.
package struct FileRenderer: Sendable {
    package var tree: TemplateTree
    package var environment: TemplateEnvironment
    /// Rendered text takes the line ending of the source's first line (`\r\n` or `\n`), as
    /// cookiecutter writes it; the engine itself, like Jinja2, renders `\n`.
    package var keepsSourceLineEndings = false
    /// Every line of rendered text ends with this instead (cookiecutter's `_new_lines`).
    package var lineEnding: String?

    package init(tree: TemplateTree, environment: TemplateEnvironment, keepsSourceLineEndings: Bool = false,
                lineEnding: String? = nil) {
        self.tree = tree
        self.environment = environment
        self.keepsSourceLineEndings = keepsSourceLineEndings
        self.lineEnding = lineEnding
    }

    /// True when the first line of `bytes` ends with `\r\n`.
    static func firstLineEndsWithCRLF(_ bytes: [UInt8]) -> Bool {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return false }
        return newline > 0 && bytes[newline - 1] == 0x0D
    }

    /// Contents of each item in `items` (same order); directories give empty contents.
    package func contents(of items: [PlannedItem], context: OrderedMapping) throws -> [[UInt8]] {
        let results = ResultSlots(count: items.count)
        let tree = self.tree
        let environment = self.environment
        let keepsLineEndings = keepsSourceLineEndings
        let lineEnding = self.lineEnding.flatMap { $0 == "\n" ? nil : Array($0.utf8) }
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let item = items[index]
            TemplateRandomness.within(item.path) {
            do {
                guard let entry = tree.entry(at: item.source), !entry.isDirectory || item.kind == .directory || entry.linkTarget != nil else {
                    throw GenerationError.unreadable(tree.displayPath(item.source), "missing from the template")
                }
                switch item.kind {
                case .directory: results.set(index, .success([]))
                case .copy: results.set(index, .success(try entry.read(limit: TemplateLimits.gitBlob, shownAs: tree.displayPath(item.source))))
                case .link(let target): results.set(index, .success(Array(target.utf8)))
                case .render:
                    let bytes = try entry.read(shownAs: tree.displayPath(item.source))
                    guard let source = String(validating: bytes, as: UTF8.self) else {
                        throw GenerationError.renderFailed("\(tree.displayPath(item.source)):1:1: error: template file is not valid UTF-8 (give it no '\(".jinja")' suffix to copy it as is)")
                    }
                    let template = try environment.compile(source, name: tree.displayPath(item.source))
                    let text = try template.render(context)
                    if let lineEnding {
                        var bytes: [UInt8] = []
                        bytes.reserveCapacity(text.utf8.count + text.utf8.count / 16)
                        for byte in text.utf8 {
                            if byte == 0x0A { bytes += lineEnding } else { bytes.append(byte) }
                        }
                        results.set(index, .success(bytes))
                    } else if keepsLineEndings && Self.firstLineEndsWithCRLF(bytes) {
                        var bytes: [UInt8] = []
                        bytes.reserveCapacity(text.utf8.count + text.utf8.count / 16)
                        for byte in text.utf8 {
                            if byte == 0x0A { bytes.append(0x0D) }
                            bytes.append(byte)
                        }
                        results.set(index, .success(bytes))
                    } else {
                        results.set(index, .success(Array(text.utf8)))
                    }
                }
            } catch let error as TemplateError {
                results.set(index, .failure(GenerationError.renderFailed(error.description)))
            } catch let error as GenerationError {
                results.set(index, .failure(error))
            } catch let error as TemplateLimitError {
                results.set(index, .failure(GenerationError.renderFailed(error.description)))
            } catch {
                results.set(index, .failure(GenerationError.renderFailed("\(tree.displayPath(item.source)): error: \(error)")))
            }
            }
        }
        return try results.values()
    }
}

/// Per-index result storage written from concurrent workers (each index exactly once).
final class ResultSlots: Sendable {
    private let results: Mutex<[Result<[UInt8], GenerationError>?]>

    init(count: Int) { results = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ result: Result<[UInt8], GenerationError>) {
        results.withLock { $0[index] = result }
    }

    /// The contents in order, or the error of the first failing item (deterministic).
    func values() throws -> [[UInt8]] {
        let slots = results.withLock { $0 }
        var out: [[UInt8]] = []
        out.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let bytes): out.append(bytes)
            case .failure(let error): throw error
            case nil: throw GenerationError.renderFailed("internal error: a file was not rendered")
            }
        }
        return out
    }
}
