import Foundation
import Yams

/// Finds references to files that a project does not contain: the Dockerfile a compose
/// service builds, its env files and bind mounts, services named in `depends_on`, and
/// source files a Makefile names.
enum ReferenceCheck {
    static func composeProblems(_ file: ProjectFile, root: URL) -> [String] {
        guard let text = try? String(contentsOf: file.url, encoding: .utf8),
              let document = try? Yams.load(yaml: text) as? [String: Any] else {
            return ["not a YAML mapping"]
        }
        let base = file.url.deletingLastPathComponent()
        let services = document["services"] as? [String: Any] ?? [:]
        var problems: [String] = []
        /// `directory`: nil accepts either kind.
        func requireExists(_ relative: String, _ what: String, directory: Bool? = false) {
            guard !relative.contains("$") else { return }
            let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : base.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if !exists || (directory.map { $0 != isDirectory.boolValue } ?? false) {
                problems.append("\(what) '\(relative)' does not exist")
            }
        }
        for name in services.keys.sorted() {
            guard let service = services[name] as? [String: Any] else { continue }
            if let context = service["build"] as? String {
                requireExists(context, "service \(name): build context", directory: true)
                requireExists((context as NSString).appendingPathComponent("Dockerfile"), "service \(name): Dockerfile")
            } else if let build = service["build"] as? [String: Any] {
                let context = build["context"] as? String ?? "."
                requireExists(context, "service \(name): build context", directory: true)
                let dockerfile = build["dockerfile"] as? String ?? "Dockerfile"
                requireExists((context as NSString).appendingPathComponent(dockerfile), "service \(name): Dockerfile")
            }
            for envFile in envFiles(service["env_file"]) {
                requireExists(envFile, "service \(name): env_file")
            }
            let dependencies: [String]
            if let list = service["depends_on"] as? [String] {
                dependencies = list
            } else if let map = service["depends_on"] as? [String: Any] {
                dependencies = Array(map.keys)
            } else {
                dependencies = []
            }
            for dependency in dependencies.sorted() where services[dependency] == nil {
                problems.append("service \(name): depends_on names unknown service '\(dependency)'")
            }
            for source in readOnlyBindSources(service["volumes"]) {
                requireExists(source, "service \(name): read-only bind mount", directory: nil)
            }
        }
        return problems
    }

    private static func envFiles(_ value: Any?) -> [String] {
        if let single = value as? String { return [single] }
        guard let list = value as? [Any] else { return [] }
        return list.compactMap { item in
            if let path = item as? String { return path }
            if let entry = item as? [String: Any], (entry["required"] as? Bool) != false { return entry["path"] as? String }
            return nil
        }
    }

    /// Relative host paths of read-only bind mounts (`./x:/y:ro` or `{type: bind, source: ./x,
    /// read_only: true}`). Compose creates a missing source of a writable mount (an output
    /// folder), so only a read-only mount of a path the project lacks is a mistake.
    private static func readOnlyBindSources(_ value: Any?) -> [String] {
        guard let list = value as? [Any] else { return [] }
        return list.compactMap { item in
            if let short = item as? String {
                let parts = short.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[2].split(separator: ",").contains("ro") else { return nil }
                return parts[0].hasPrefix("./") || parts[0].hasPrefix("../") ? parts[0] : nil
            }
            if let long = item as? [String: Any], long["type"] as? String == "bind", long["read_only"] as? Bool == true,
               let source = long["source"] as? String {
                return source.hasPrefix("/") ? nil : source
            }
            return nil
        }
    }

    /// Extensions of files a Makefile reads rather than makes.
    static let sourceExtensions: Set<String> = ["py", "yaml", "yml", "toml", "txt", "sh", "sbatch", "cfg", "ipynb", "md", "cff", "lock"]

    static func makefileProblems(_ file: ProjectFile, root: URL) -> [String] {
        guard let text = try? String(contentsOf: file.url, encoding: .utf8) else { return ["not UTF-8 text"] }
        let base = file.url.deletingLastPathComponent()
        var targets = Set<String>()
        var candidates: [(line: Int, path: String)] = []
        let separators = CharacterSet(charactersIn: " \t=\"'(),;|<>&")
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if !line.hasPrefix("\t"), let colon = line.firstIndex(of: ":"), !line.contains(":=") {
                for target in line[..<colon].split(separator: " ") { targets.insert(String(target)) }
            }
            for token in line.components(separatedBy: separators) {
                let path = token.hasSuffix(":") ? String(token.dropLast()) : token
                guard path.contains("/"), !path.hasPrefix("/"), !path.hasPrefix("-"), !path.contains("$"),
                      !path.contains("://"), !path.contains("*"), !path.contains("%"),
                      sourceExtensions.contains((path as NSString).pathExtension) else { continue }
                candidates.append((index + 1, path))
            }
        }
        return candidates.compactMap { candidate in
            guard !targets.contains(candidate.path),
                  !FileManager.default.fileExists(atPath: base.appendingPathComponent(candidate.path).path) else { return nil }
            return "line \(candidate.line): '\(candidate.path)' does not exist"
        }
    }
}
