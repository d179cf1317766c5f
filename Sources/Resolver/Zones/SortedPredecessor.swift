extension Array {
    /// In an array sorted by `less`, the index of the last element that sorts before `target`,
    /// wrapping to the last element when none does (a chain's span that holds `target`: the
    /// NSEC and NSEC3 chains of a signed zone). The array must not be empty.
    func predecessorIndex(of target: Element, by less: (Element, Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if less(self[middle], target) { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? low - 1 : count - 1
    }
}
