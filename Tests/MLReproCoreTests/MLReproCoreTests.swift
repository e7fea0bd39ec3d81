import Testing
@testable import MLReproCore
