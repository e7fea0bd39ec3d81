import Testing
@testable import Prompting
