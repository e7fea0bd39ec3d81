import TemplateEngine

/// A manifest problem, located in the manifest file.
package struct ManifestError: Error, Sendable, CustomStringConvertible {
    package var location: SourceLocation
    package var message: String
    package var description: String { "\(location): error: \(message)" }
}
