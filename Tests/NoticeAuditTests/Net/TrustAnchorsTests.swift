import Foundation
import Testing
@testable import NoticeAudit

/// Issue 12 item 5: the combined CA bundle is never a shared, predictable file in /tmp that
/// another local user could create first and later add a CA to.
@Suite("trust anchors")
struct TrustAnchorsTests {
    @Test func theCombinedBundleLivesInADirectoryOnlyThisProcessOwns() throws {
        let directory = try TemporaryDirectory()
        let extra = try directory.write("-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n", to: "extra.pem")
        let path = try #require(try CurlHTTPClient.trustAnchorsFile(extraCAFile: extra.path))
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(URL(fileURLWithPath: folder).standardizedFileURL != URL(fileURLWithPath: NSTemporaryDirectory()).standardizedFileURL)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: folder)
        #expect((folderAttributes[.posixPermissions] as? Int) == 0o700)
        #expect((folderAttributes[.ownerAccountID] as? Int).map(UInt32.init) == getuid())
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self).hasSuffix("not checked here\n-----END CERTIFICATE-----\n") } == true)
        // The same content gives the same file; another content another file in the same folder.
        #expect(try CurlHTTPClient.trustAnchorsFile(extraCAFile: extra.path) == path)
        let other = try directory.write("another\n", to: "other.pem")
        let second = try #require(try CurlHTTPClient.trustAnchorsFile(extraCAFile: other.path))
        #expect(second != path && URL(fileURLWithPath: second).deletingLastPathComponent().path == folder)
    }
}
