/// The version of mlrepro, recorded in every generated project (`_mlrepro_version`).
package enum MLReproVersion {
    package static let current = "0.1.0"
}
