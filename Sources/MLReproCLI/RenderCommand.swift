import ArgumentParser
import Foundation
import MLReproCore
import TemplateEngine

extension MLRepro {
    /// `mlrepro render FILE`: render one template file to stdout.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Render one template file to stdout.",
            discussion: "The context is the answers (file, then --data overrides, values as YAML). Exit 0, or 2 with the engine's file:line:col diagnostic."
        )

        @Argument(help: ArgumentHelp("Template file to render.", valueName: "FILE"))
        var file: String

        @OptionGroup var answerOptions: AnswerOptions

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandError("cannot read '\(file)'")
            }
            guard let source = String(data: data, encoding: .utf8) else {
                throw CommandError("'\(file)' is not UTF-8 text")
            }
            var context = OrderedMapping()
            if let path = answerOptions.answers {
                for entry in try AnswersFile.load(path: path).entries { context[entry.key] = entry.value }
            }
            for (key, text) in try AnswerInputs.parseData(answerOptions.data) {
                let reader = YAMLValueReader(file: "--data \(key)")
                context[key] = try reader.parse(text).map { try reader.value($0) } ?? Value.none
            }
            let directory = (Paths.absolute(file) as NSString).deletingLastPathComponent
            let environment = TemplateEnvironment(loader: DirectoryLoader(root: directory), globals: RenderingContext.globals)
            let output = try environment.render(source, name: file, context: context)
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }
}

/// Includes for `render`, relative to the rendered file's folder, never escaping it.
struct DirectoryLoader: TemplateLoader {
    let root: String

    func source(named name: String) throws -> String? {
        if name.hasPrefix("/") || name.split(separator: "/").contains("..") { return nil }
        let path = root + "/" + name
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let base = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(base + "/") else { return nil }
        return FileManager.default.contents(atPath: resolved).map { String(decoding: $0, as: UTF8.self) }
    }
}
