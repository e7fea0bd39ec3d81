import CBuildStamp
import MLReproCore

/// What `mlrepro --version` prints: the version (first line, alone, for scripts that read it),
/// the commit the binary was built from and the target it was built for.
enum BuildInfo {
    /// The commit `make dist` (or `make install`) stamped into the binary; `unknown` otherwise.
    static var commit: String {
        let stamped = String(cString: mlrepro_build_commit())
        return stamped.isEmpty ? "unknown" : stamped
    }

    /// The target triple the binary was compiled for, as Swift names it.
    static var target: String {
        #if arch(x86_64)
        let arch = "x86_64"
        #elseif arch(arm64)
        let arch = "aarch64"
        #else
        let arch = "unknown"
        #endif
        #if os(macOS)
        return (arch == "aarch64" ? "arm64" : arch) + "-apple-macosx"
        #elseif os(Linux) && canImport(Musl)
        return arch + "-swift-linux-musl"
        #elseif os(Linux)
        return arch + "-unknown-linux-gnu"
        #else
        return arch + "-unknown"
        #endif
    }

    static var versionText: String {
        "\(MLReproVersion.current)\ncommit: \(commit)\ntarget: \(target)"
    }
}
