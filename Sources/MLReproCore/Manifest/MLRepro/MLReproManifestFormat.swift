/// mlrepro's own manifest, `mlrepro.yml`: copier's question schema and settings, strict about
/// answers (a key no question asks is an error) and recording answers in `.mlrepro/`.
package struct MLReproManifestFormat: TemplateFormat {
    package init() {}

    package var name: String { "mlrepro" }
    package var manifestFileNames: [String] { ["mlrepro.yml"] }

    package func manifest(named fileName: String, in tree: TemplateTree) throws -> TemplateManifest {
        try YAMLManifest.read(fileName, in: tree, lastKeyWins: false)
    }
}
