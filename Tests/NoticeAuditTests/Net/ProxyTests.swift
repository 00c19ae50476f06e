import Foundation
import Testing
@testable import NoticeAudit

/// Issue 12 item 10: a URL that the environment sends through a proxy is not resolved by us; the
/// proxy resolves it (a network that reaches the outside only through its proxy may have no DNS).
@Suite("proxies")
struct ProxyTests {
    @Test(arguments: [
        // variables, url, expected proxy
        (["https_proxy": "http://p:3128"], "https://knowledge.exlibrisgroup.com/x", "http://p:3128"),
        (["HTTPS_PROXY": "http://P:3128"], "https://knowledge.exlibrisgroup.com/x", "http://P:3128"),
        (["HTTP_PROXY": "http://p:3128"], "http://example.edu/", nil),
        (["http_proxy": "http://p:3128"], "http://example.edu/", "http://p:3128"),
        (["ALL_PROXY": "socks5h://p:1080"], "https://example.edu/", "socks5h://p:1080"),
        (["https_proxy": "http://p:3128", "no_proxy": "*"], "https://example.edu/", nil),
        (["https_proxy": "http://p:3128", "no_proxy": "exlibrisgroup.com"], "https://knowledge.exlibrisgroup.com/x", nil),
        (["https_proxy": "http://p:3128", "no_proxy": ".exlibrisgroup.com"], "https://knowledge.exlibrisgroup.com/x", nil),
        (["https_proxy": "http://p:3128", "no_proxy": "groupexlibris.com,lab.test"], "https://knowledge.exlibrisgroup.com/x", "http://p:3128"),
        (["https_proxy": "http://p:3128", "NO_PROXY": "10.0.0.0/8 example.edu"], "https://10.1.2.3/x", nil),
        (["https_proxy": "http://p:3128", "no_proxy": "10.0.0.0/8"], "https://11.1.2.3/x", "http://p:3128"),
        (["https_proxy": " "], "https://example.edu/", nil),
    ] as [([String: String], String, String?)])
    func proxyForAURLFollowsLibcurlsRules(variables: [String: String], url: String, expected: String?) {
        #expect(ProxyEnvironment(variables: variables).proxy(for: URL(string: url)!) == expected)
    }
}

/// The same through the binary and the lab's CONNECT proxy: the page's host name exists only for
/// the proxy, the scanner's DNS server does not know it.
@Suite("proxies (the binary and the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct ProxyLabTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    static func fetch(environment: [String: String]) async throws -> CommandResult {
        let directory = try TemporaryDirectory()
        return try await CommandRunner.run(
            ["ranges", "fetch", "--url", "https://\(lab["LAB_PROXY_ONLY_HOSTNAME"]):\(lab["LAB_HTTPS_PORT"])/exlibris/v1.html",
             "--db", directory.url.appendingPathComponent("h.sqlite").path, "--dns-server", lab["LAB_DNS"], "--ca-file", lab["LAB_CA_FILE"], "--timeout", "10"],
            environment: environment)
    }

    @Test func aFetchThroughTheProxyIsNotResolvedByUs() async throws {
        let run = try await Self.fetch(environment: ["https_proxy": Self.lab["LAB_PROXY_URL"], "no_proxy": "", "NO_PROXY": ""])
        #expect(run.status == 0, "\(run.stderr)")
        let log = try String(contentsOfFile: Self.lab["LAB_PROXY_LOG"], encoding: .utf8)
        #expect(log.contains("CONNECT \(Self.lab["LAB_PROXY_ONLY_HOSTNAME"]):\(Self.lab["LAB_HTTPS_PORT"])"))
    }

    @Test func noProxyStillGoesDirectThroughOurResolver() async throws {
        let run = try await Self.fetch(environment: ["https_proxy": Self.lab["LAB_PROXY_URL"], "no_proxy": "proxy-only.test"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("cannot resolve \(Self.lab["LAB_PROXY_ONLY_HOSTNAME"])"), "\(run.stderr)")
    }
}
