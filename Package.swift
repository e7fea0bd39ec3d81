// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "mlrepro",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mlrepro", targets: ["mlrepro"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // Thin executable: @main only.
        .executableTarget(name: "mlrepro", dependencies: ["MLReproCLI"]),
        .target(
            name: "MLReproCLI",
            dependencies: [
                "MLReproCore", "TemplateEngine", "EnvironmentProbe", "Prompting", "GitSupport", "CBuildStamp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "MLReproCore",
            dependencies: [
                "TemplateEngine", "EnvironmentProbe", "GitSupport", "Prompting",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["README.md"],
            plugins: ["EmbedTemplates"]
        ),
        // Build tool + plugin that embed Templates/ into MLReproCore (no Bundle.module).
        .executableTarget(name: "TemplateEmbedder", dependencies: ["TemplateEngine"]),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["TemplateEmbedder"]),
        .target(name: "TemplateEngine", dependencies: ["CSHA256"], exclude: ["README.md"]),
        // SHA-256 with the CPU's SHA instructions where it has them (x86-64).
        .target(name: "CSHA256"),
        // Throughput benchmark for the template engine (`make bench-engine`).
        .executableTarget(name: "mlrepro-bench-engine", dependencies: ["TemplateEngine"]),
        // Mutation fuzzer for answers files and templates (`make fuzz`).
        .executableTarget(name: "mlrepro-fuzz", dependencies: ["MLReproCore", "TemplateEngine", "GitSupport"]),
        .target(
            name: "EnvironmentProbe",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")]
        ),
        .target(name: "Prompting"),
        // libgit2's headers (libgit2-dev) and a loader that opens the library on first use.
        .target(name: "CLibGit2", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "GitSupport", dependencies: ["CLibGit2"]),
        // The commit a distributed binary was built from, stamped into it by `make dist`.
        .target(name: "CBuildStamp"),

        // What the test targets share: temporary folders, git fixture repositories, golden trees.
        .target(name: "MLReproTestSupport", dependencies: ["TemplateEngine"], path: "Tests/MLReproTestSupport"),
        .testTarget(name: "TemplateEngineTests", dependencies: ["TemplateEngine"], exclude: ["Conformance"]),
        .testTarget(name: "MLReproCoreTests", dependencies: ["MLReproCore", "TemplateEngine", "MLReproTestSupport"]),
        .testTarget(name: "EnvironmentProbeTests", dependencies: ["EnvironmentProbe"], exclude: ["Fixtures"]),
        .testTarget(name: "PromptingTests", dependencies: ["Prompting"]),
        .testTarget(name: "GitSupportTests", dependencies: ["GitSupport", "MLReproTestSupport"]),
        .testTarget(name: "MLReproCLITests", dependencies: ["MLReproCLI", "MLReproCore", "MLReproTestSupport"]),
    ]
)
