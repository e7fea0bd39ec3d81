import Testing
@testable import GitSupport
