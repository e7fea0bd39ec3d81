import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to probe.
public struct ProbeOptions: Sendable {
    /// Files such as `/proc/cpuinfo` are read below this directory (default `$MLREPRO_PROBE_ROOT` or `/`).
    public var root: String
    /// Limit for each external command.
    public var timeout: Duration
    /// Directory whose git commit, branch and dirtiness are recorded.
    public var workingDirectory: String
    public var mlreproVersion: String
    /// Environment variables seen by the probe (`PATH` finds tools; `CUDA_HOME`, container variables).
    public var environment: [String: String]
    public var runner: any CommandRunning
    /// Time recorded as `captured_at`; nil means now.
    public var capturedAt: Date?

    public init(root: String? = nil, timeout: Duration = .seconds(5), workingDirectory: String, mlreproVersion: String) {
        let environment = ProcessInfo.processInfo.environment
        self.init(root: root, timeout: timeout, workingDirectory: workingDirectory, mlreproVersion: mlreproVersion,
                  environment: environment)
    }

    public init(root: String? = nil, timeout: Duration = .seconds(5), workingDirectory: String, mlreproVersion: String,
                environment: [String: String], runner: any CommandRunning = SubprocessRunner(), capturedAt: Date? = nil) {
        let fromEnvironment = environment["MLREPRO_PROBE_ROOT"].flatMap { $0.isEmpty ? nil : $0 }
        self.root = root ?? fromEnvironment ?? "/"
        self.timeout = timeout
        self.workingDirectory = workingDirectory
        self.mlreproVersion = mlreproVersion
        self.environment = environment
        self.runner = runner
        self.capturedAt = capturedAt
    }
}

/// Probes this machine. Every source runs independently and concurrently; none can fail the probe.
public enum EnvironmentProber {
    public static func run(_ options: ProbeOptions) async -> ProbeRecord {
        let context = ProbeContext(options: options)
        let capturedAt = ProbeClock.iso8601(options.capturedAt ?? Date())

        async let nvidia = NvidiaProbe.run(context)
        async let toolkit = ToolkitProbe.run(context)
        async let amd = AMDProbe.run(context)
        async let python = SoftwareProbe.python(context)
        async let git = SoftwareProbe.git(context)
        let host = HostProbe.run(context)

        var sources: [String: SourceStatus] = [:]
        var record = ProbeRecord(meta: Meta(capturedAt: capturedAt, mlreproVersion: options.mlreproVersion, sources: [:]))
        for part in [host.sources, await nvidia.sources, await toolkit.sources, await amd.sources,
                     await python.sources, await git.sources] {
            sources.merge(part) { first, _ in first }
        }
        record.host = host.host
        record.container = host.container
        record.nvidia = await nvidia.value
        (record.cudaToolkit, record.libraries) = await toolkit.value
        record.amd = await amd.value
        record.python = await python.value
        record.git = await git.value
        record.meta.sources = sources
        return record
    }
}

/// A group's values plus the status of each source that fed it.
struct Probed<Value: Sendable>: Sendable {
    var value: Value
    var sources: [String: SourceStatus]
}

/// What every source needs: where files are, how to find and run tools.
struct ProbeContext: Sendable {
    var root: String
    var environment: [String: String]
    var childEnvironment: [String: String]
    var timeout: Duration
    var runner: any CommandRunning
    var workingDirectory: String
    var tools: ToolLocator

    init(options: ProbeOptions) {
        root = options.root
        environment = options.environment
        var child = options.environment
        child["LC_ALL"] = "C"
        childEnvironment = child
        timeout = options.timeout
        runner = options.runner
        workingDirectory = options.workingDirectory
        tools = ToolLocator(path: options.environment["PATH"] ?? "/usr/bin:/bin")
    }

    /// The path of a system file below the probe root.
    func path(_ absolute: String) -> String {
        if root == "/" || root.isEmpty { return absolute }
        return (root.hasSuffix("/") ? String(root.dropLast()) : root) + absolute
    }

    /// Reads a system file below the root; nil when it does not exist or cannot be read.
    func read(_ absolute: String) -> String? { readReal(path(absolute)) }

    func exists(_ absolute: String) -> Bool { FileManager.default.fileExists(atPath: path(absolute)) }

    /// Reads a path as given (for paths from the environment such as `CUDA_HOME`).
    func readReal(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func run(_ executable: String, _ arguments: [String], in directory: String? = nil) async -> CommandOutcome {
        await runner.run(executable, arguments: arguments, environment: childEnvironment,
                         workingDirectory: directory, timeout: timeout)
    }

    /// The status for a command that did not finish normally, or nil when it exited with status 0.
    func status(of outcome: CommandOutcome, tool: String) -> SourceStatus? {
        switch outcome {
        case .finished(0, _, _): return nil
        case .finished(let code, let stdout, let stderr):
            let line = (stderr + "\n" + stdout).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? "no output"
            return .error("\(tool) exited with status \(code): \(line)")
        case .signalled(let signal): return .error("\(tool) was killed by signal \(signal)")
        case .timedOut:
            return SourceStatus(.timeout, "\(tool) did not finish within \(ProbeContext.seconds(timeout)) and was killed")
        case .launchFailed(let message): return .error("\(tool) failed to run: \(message)")
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : String(format: "%.3g s", value)
    }
}

// MARK: - Host

enum HostProbe {
    struct Result: Sendable {
        var host: Host
        var container: Container
        var sources: [String: SourceStatus]
    }

    static func run(_ context: ProbeContext) -> Result {
        var host = Host()
        var sources: [String: SourceStatus] = [:]

        if let text = context.read("/etc/os-release") ?? context.read("/usr/lib/os-release") {
            let fields = HostParsers.parseOSRelease(text)
            host.osName = fields["PRETTY_NAME"] ?? fields["NAME"]
            host.osID = fields["ID"]
            host.osVersionID = fields["VERSION_ID"]
            sources[ProbeSource.osRelease.rawValue] = host.osName == nil ? .error("os-release has no PRETTY_NAME or NAME") : .ok
        } else {
            sources[ProbeSource.osRelease.rawValue] = .absent
        }

        var names = utsname()
        if uname(&names) == 0 {
            host.kernel = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            host.arch = withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            sources[ProbeSource.uname.rawValue] = .ok
        } else {
            sources[ProbeSource.uname.rawValue] = .error("uname failed with errno \(errno)")
        }

        #if canImport(Glibc)
        let length = confstr(Int32(_CS_GNU_LIBC_VERSION), nil, 0)
        if length > 0 {
            var buffer = [CChar](repeating: 0, count: length)
            _ = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, length)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = text.split(separator: " ")
            host.libc = parts.first.map(String.init)
            host.libcVersion = parts.count > 1 ? String(parts[1]) : nil
            sources[ProbeSource.libc.rawValue] = .ok
        } else {
            sources[ProbeSource.libc.rawValue] = SourceStatus(.absent, "not glibc")
        }
        #else
        sources[ProbeSource.libc.rawValue] = SourceStatus(.absent, "not glibc")
        #endif

        if let text = context.read("/proc/cpuinfo") {
            let info = HostParsers.parseCPUInfo(text)
            host.cpuModel = info.model
            host.cpuLogicalCores = info.logicalCores > 0 ? info.logicalCores : nil
            host.cpuPhysicalCores = info.physicalCores
            sources[ProbeSource.cpuinfo.rawValue] = info.logicalCores > 0 ? .ok : .error("no 'processor' entries")
        } else {
            sources[ProbeSource.cpuinfo.rawValue] = .absent
        }

        if let text = context.read("/proc/meminfo") {
            host.memoryTotalMiB = HostParsers.parseMemTotalMiB(text)
            sources[ProbeSource.meminfo.rawValue] = host.memoryTotalMiB == nil ? .error("no MemTotal line") : .ok
        } else {
            sources[ProbeSource.meminfo.rawValue] = .absent
        }

        let files = Set(["/.dockerenv", "/run/.containerenv"].filter { context.exists($0) })
        let container = HostParsers.containerKind(files: files, environment: context.environment)
        sources[ProbeSource.container.rawValue] = .ok
        return Result(host: host, container: container, sources: sources)
    }
}

// MARK: - Python and git

enum SoftwareProbe {
    static func python(_ context: ProbeContext) async -> Probed<Python> {
        let key = ProbeSource.python.rawValue
        guard let executable = context.tools.find("python3") else {
            return Probed(value: Python(), sources: [key: SourceStatus(.absent, "python3 is not on PATH")])
        }
        let outcome = await context.run(executable, ["--version"])
        if let failure = context.status(of: outcome, tool: "python3") {
            return Probed(value: Python(executable: executable), sources: [key: failure])
        }
        guard case .finished(_, let stdout, let stderr) = outcome,
              let version = HostParsers.parsePythonVersion(stdout + "\n" + stderr) else {
            return Probed(value: Python(executable: executable), sources: [key: .error("unrecognised python3 --version output")])
        }
        return Probed(value: Python(version: version, executable: executable), sources: [key: .ok])
    }

    /// Commit and branch from the `.git` files; dirtiness from `git status --porcelain` (which also
    /// reports untracked files), run with the timeout.
    static func git(_ context: ProbeContext) async -> Probed<Git> {
        let refsKey = ProbeSource.gitRefs.rawValue
        let statusKey = ProbeSource.gitStatus.rawValue
        guard let repository = GitReader.locate(from: context.workingDirectory) else {
            let message = "\(context.workingDirectory) is not inside a git repository"
            return Probed(value: Git(), sources: [refsKey: SourceStatus(.absent, message), statusKey: SourceStatus(.absent, message)])
        }
        var git = Git()
        var sources: [String: SourceStatus] = [:]
        do {
            let head = try GitReader.head(of: repository)
            git.commit = head.commit
            git.branch = head.branch
            sources[refsKey] = .ok
        } catch {
            sources[refsKey] = .error(String(describing: error))
        }
        guard let executable = context.tools.find("git") else {
            sources[statusKey] = SourceStatus(.absent, "git is not on PATH; dirtiness unknown")
            return Probed(value: git, sources: sources)
        }
        let outcome = await context.run(executable, ["--no-optional-locks", "status", "--porcelain", "--untracked-files=normal"],
                                        in: repository.workTree)
        if let failure = context.status(of: outcome, tool: "git status") {
            sources[statusKey] = failure
        } else if case .finished(_, let stdout, _) = outcome {
            git.dirty = !stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            sources[statusKey] = .ok
        }
        return Probed(value: git, sources: sources)
    }
}

extension HostProbe {
    /// `uname -m`, e.g. `x86_64`.
    static func machine() -> String? {
        var names = utsname()
        guard uname(&names) == 0 else { return nil }
        return withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
