import Testing
@testable import Daemon

/// BatchWaitGuard.swift: a worker keeps sleeping its batch wait while the sleeps end about on
/// time, stops when they overrun by more than the wait, and tries again later.
@Suite("UDP batch wait guard")
struct BatchWaitGuardTests {
    @Test("sleeps that end on time (or a little late) keep the waits on")
    func onTime() {
        var waitGuard = BatchWaitGuard(microseconds: 50)
        var waits = 0, suspended = 0
        for _ in 0..<10_000 where waitGuard.shouldWait() {
            waits += 1
            // 57 us, what a 50 us sleep takes at the median on the bench machine.
            if waitGuard.slept(57_000) { suspended += 1 }
        }
        #expect(waits == 10_000 && suspended == 0 && waitGuard.suspensions == 0)
    }

    @Test("sleeps that overrun by more than the wait suspend it for a while, then it is tried again")
    func overrunSuspends() {
        var waitGuard = BatchWaitGuard(microseconds: 50)
        var sleeps = 0
        while waitGuard.shouldWait(), sleeps < 100 {
            sleeps += 1
            if waitGuard.slept(200_000) { break }
        }
        #expect(waitGuard.suspensions == 1)
        #expect(sleeps > 1 && sleeps < 20, "a moving average, neither one sleep nor forever: \(sleeps)")
        var skipped = 0
        while !waitGuard.shouldWait(), skipped <= BatchWaitGuard.suspendedBursts { skipped += 1 }
        #expect(skipped == BatchWaitGuard.suspendedBursts, "then tried again")
        // One late sleep among on-time ones is not enough.
        var suspendedAgain = waitGuard.slept(200_000)
        for _ in 0..<100 where waitGuard.slept(50_000) { suspendedAgain = true }
        #expect(!suspendedAgain && waitGuard.suspensions == 1)
    }

    @Test("batch_wait: 0 never sleeps")
    func off() {
        var waitGuard = BatchWaitGuard(microseconds: 0)
        let waits = waitGuard.shouldWait()
        #expect(!waits)
    }
}
