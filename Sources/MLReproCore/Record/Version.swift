/// The version of mlrepro, recorded in every generated project (`_mlrepro_version`).
public enum MLReproVersion {
    public static let current = "0.1.0"
}
