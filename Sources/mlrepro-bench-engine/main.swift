// Engine throughput: parse and render every `*.jinja` file under a directory, from memory.
//
//     mlrepro-bench-engine DIR [ROUNDS]
//
// DIR is typically the copier/ folder written by make_synthetic_template.py. Prints MB/s of
// template text for parsing, rendering, and both, on one core.
import Foundation
import TemplateEngine

func templateFiles(in root: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var paths: [String] = []
    while let next = walker.nextObject() as? String {
        if next.hasSuffix(".jinja") { paths.append(root + "/" + next) }
    }
    return paths.sorted()
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: mlrepro-bench-engine DIR [ROUNDS]\n".utf8))
    exit(2)
}
let rounds = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 5) : 5
let paths = templateFiles(in: arguments[1])
let sources = paths.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
guard !sources.isEmpty else {
    FileHandle.standardError.write(Data("mlrepro-bench-engine: no *.jinja files under \(arguments[1])\n".utf8))
    exit(2)
}
let bytes = sources.reduce(0) { $0 + $1.utf8.count }
let context = OrderedMapping([
    ("project_name", .string("demo")), ("use_gpu", .bool(true)),
    ("steps", .list([0, 1, 2, 3, 4])),
])
let environment = TemplateEnvironment()
let clock = ContinuousClock()
var best = (parse: Duration.seconds(1000), render: Duration.seconds(1000))
var outputBytes = 0
do {
    for _ in 0..<rounds {
        var templates: [Template] = []
        templates.reserveCapacity(sources.count)
        let parseTime = try clock.measure {
            for (i, source) in sources.enumerated() {
                templates.append(try environment.compile(source, name: paths[i]))
            }
        }
        var produced = 0
        let renderTime = try clock.measure {
            for template in templates { produced += try template.render(context).utf8.count }
        }
        outputBytes = produced
        best.parse = min(best.parse, parseTime)
        best.render = min(best.render, renderTime)
    }
} catch {
    FileHandle.standardError.write(Data("mlrepro-bench-engine: \(error)\n".utf8))
    exit(2)
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
let mb = Double(bytes) / 1_000_000
let parse = seconds(best.parse), render = seconds(best.render)
print("templates: \(sources.count) files, \(bytes) bytes in, \(outputBytes) bytes out; best of \(rounds) rounds")
print(String(format: "parse:  %8.2f ms  %8.1f MB/s", parse * 1000, mb / parse))
print(String(format: "render: %8.2f ms  %8.1f MB/s", render * 1000, mb / render))
print(String(format: "total:  %8.2f ms  %8.1f MB/s", (parse + render) * 1000, mb / (parse + render)))
