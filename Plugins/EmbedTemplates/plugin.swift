import Foundation
import PackagePlugin

/// Embeds the top-level `Templates/` directory into the target as generated Swift source, so an
/// installed, relocated binary carries its built-in templates.
///
/// The command's arguments carry a fingerprint of `Templates/` (every path, size and
/// modification time), and every file is an input, so adding, removing or editing a template file
/// reruns it; the tool rewrites the generated source only when its content changes.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let templates = context.package.directoryURL.appending(path: "Templates")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplateData.swift")
        return [
            .buildCommand(
                displayName: "Embedding built-in templates",
                executable: try context.tool(named: "TemplateEmbedder").url,
                arguments: [templates.path, output.path, fingerprint(of: templates)],
                // Every file as an input too: the build system then sees an edit or a removal by
                // itself, even where it reuses the plugin's earlier commands.
                inputFiles: files(under: templates),
                outputFiles: [output]
            ),
        ]
    }

    /// Every regular file under `directory`.
    private func files(under directory: URL) -> [URL] {
        var found: [URL] = []
        if let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
                found.append(url)
            }
        }
        return found
    }

    /// FNV-1a over every entry's path, size and modification time.
    private func fingerprint(of directory: URL) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        var lines: [String] = []
        if let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys) {
            for case let url as URL in walker {
                let values = try? url.resourceValues(forKeys: Set(keys))
                let stamp = values?.contentModificationDate?.timeIntervalSince1970 ?? 0
                lines.append("\(url.path)|\(values?.fileSize ?? -1)|\(stamp)")
            }
        }
        for line in lines.sorted() { mix(line + "\n") }
        return String(hash, radix: 16)
    }
}
