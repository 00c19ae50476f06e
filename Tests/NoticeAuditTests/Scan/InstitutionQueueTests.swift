import Testing
@testable import NoticeAudit

/// The queue the scanner takes institutions from: inventory order across its chunks, each taken once.
@Suite("institution queue")
struct InstitutionQueueTests {
    private static func institutions(_ count: Int) -> [Institution] {
        (0..<count).map { Institution(id: "i\($0)", name: "Institution \($0)", region: .northAmerica, delivery: .spf, senderDomains: []) }
    }

    @Test(arguments: [(0, 3), (1, 3), (9, 3), (10, 3), (2_500, 1024)])
    func everyInstitutionComesOnceInInventoryOrder(count: Int, chunkSize: Int) {
        let queue = InstitutionQueue(Self.institutions(count), chunkSize: chunkSize)
        #expect(queue.count == count)
        var taken: [String] = []
        while let institution = queue.next() { taken.append(institution.id) }
        #expect(taken == (0..<count).map { "i\($0)" })
        #expect(queue.next()?.id == nil)
    }
}
