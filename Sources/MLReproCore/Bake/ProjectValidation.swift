import Foundation
import Yams

/// What one validator concluded about one file (or the whole project).
package struct ValidationFinding: Sendable, Equatable {
    package enum Outcome: Sendable, Equatable {
        case passed
        case failed(String)
        /// The validator could not run (tool missing, nothing to check with): never a pass.
        case skipped(String)
    }

    package let validator: String
    package let path: String
    package let outcome: Outcome
    /// How many files this finding covers (a check run once over every Python file covers them all).
    package var files = 1

    package init(validator: String, path: String, outcome: Outcome, files: Int = 1) {
        self.validator = validator
        self.path = path
        self.outcome = outcome
        self.files = files
    }

    package var failed: Bool {
        if case .failed = outcome { return true }
        return false
    }
}

/// Finds validator programs on a search path (a virtualenv's `bin` first, then `PATH`).
package struct ToolLocator: Sendable {
    package let directories: [String]

    package init(virtualenv: String? = nil, path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        var directories: [String] = []
        if let virtualenv { directories.append((virtualenv as NSString).appendingPathComponent("bin")) }
        directories += (path ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        self.directories = directories
    }

    package func find(_ name: String) -> String? {
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
