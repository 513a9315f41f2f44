/// A compiled pattern run by a small backtracking machine over Unicode scalars, with ECMA-262 semantics.
///
/// ICU through `NSRegularExpression` costs microseconds per call on short strings (bridging to UTF-16 and
/// setting up a matcher), which made `pattern` most of event validation. This machine runs the patterns
/// event schemas use directly on the string's scalars. A run that takes unusually many steps restarts with
/// memoisation of failed (instruction, position) states, so no pattern is worse than
/// O(program × input) — there are no backreferences, so a state that failed once always fails.
///
/// Sendable: immutable after compilation.
struct PatternProgram: Sendable {
    /// One flat, trivially copyable instruction, so the run loop neither retains nor switches on payloads.
    private struct Instruction: Sendable {
        enum Operation: UInt8, Sendable {
            case scalar, set, split, jump, assertStart, assertEnd, match
        }
        var operation: Operation
        /// The scalar (`scalar`), the set's index (`set`), the first target (`split`, `jump`).
        var first: Int32 = 0
        /// The second target (`split`).
        var second: Int32 = 0
        /// For `set`: which ASCII scalars are in it (bits 0-63 and 64-127), already reflecting negation.
        var asciiLow: UInt64 = 0
        var asciiHigh: UInt64 = 0

        static func scalar(_ value: UInt32) -> Instruction {
            Instruction(operation: .scalar, first: Int32(bitPattern: value))
        }
        static func split(_ first: Int, _ second: Int) -> Instruction {
            Instruction(operation: .split, first: Int32(first), second: Int32(second))
        }
        static func jump(_ target: Int) -> Instruction { Instruction(operation: .jump, first: Int32(target)) }
        static let assertStart = Instruction(operation: .assertStart)
        static let assertEnd = Instruction(operation: .assertEnd)
        static let match = Instruction(operation: .match)
    }

    private var instructions: [Instruction] = []
    private var sets: [ScalarSet] = []
    /// Only position 0 can start a match (the pattern begins with `^` in every branch that matters).
    private var anchoredAtStart = false
    private static let maximumInstructions = 20_000

    /// Compiles `source`, or returns nil when it needs a feature this machine lacks (ICU then runs it).
    init?(_ source: String) {
        guard let node = PatternNode.parse(source) else { return nil }
        if case .sequence(let items) = node, case .start? = items.first { anchoredAtStart = true }
        if case .start = node { anchoredAtStart = true }
        guard emit(node) else { return nil }
        instructions.append(.match)
    }

    private mutating func emit(_ node: PatternNode) -> Bool {
        guard instructions.count < Self.maximumInstructions else { return false }
        switch node {
        case .empty: return true
        case .scalar(let scalar): instructions.append(.scalar(scalar))
        case .set(let set):
            sets.append(set)
            var instruction = Instruction(operation: .set, first: Int32(sets.count - 1))
            for scalar in UInt32(0)..<128 where set.contains(scalar) {
                if scalar < 64 {
                    instruction.asciiLow |= 1 << UInt64(scalar)
                } else {
                    instruction.asciiHigh |= 1 << UInt64(scalar - 64)
                }
            }
            instructions.append(instruction)
        case .start: instructions.append(.assertStart)
        case .end: instructions.append(.assertEnd)
        case .sequence(let items):
            for item in items where !emit(item) { return false }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (offset, branch) in branches.enumerated() {
                if offset < branches.count - 1 {
                    let split = instructions.count
                    instructions.append(.split(split + 1, -1))
                    guard emit(branch) else { return false }
                    jumps.append(instructions.count)
                    instructions.append(.jump(-1))
                    instructions[split] = .split(split + 1, instructions.count)
                } else {
                    guard emit(branch) else { return false }
                }
            }
            for jump in jumps { instructions[jump] = .jump(instructions.count) }
        case .repetition(let inner, let minimum, let maximum, let greedy):
            for _ in 0..<minimum where !emit(inner) { return false }
            if let maximum {
                // x{0,k} as nested options: (x(x(x)?)?)?, so a failed optional ends all the later ones.
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(instructions.count)
                    instructions.append(.split(-1, -1))
                    guard emit(inner) else { return false }
                }
                for split in splits { instructions[split] = branch(split + 1, instructions.count, greedy) }
            } else {
                let split = instructions.count
                instructions.append(.split(-1, -1))
                guard emit(inner) else { return false }
                instructions.append(.jump(split))
                instructions[split] = branch(split + 1, instructions.count, greedy)
            }
        }
        return instructions.count < Self.maximumInstructions
    }

    private func branch(_ body: Int, _ exit: Int, _ greedy: Bool) -> Instruction {
        greedy ? .split(body, exit) : .split(exit, body)
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, utf8.count)) { buffer in
                var count = 0
                if utf8.allSatisfy({ $0 < 0x80 }) {
                    for byte in utf8 {
                        buffer[count] = UInt32(byte)
                        count += 1
                    }
                } else {
                    for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                        buffer[count] = scalar.value
                        count += 1
                    }
                }
                return search(UnsafeBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    private func search(_ input: UnsafeBufferPointer<UInt32>) -> Bool {
        let lastStart = anchoredAtStart ? 0 : input.count
        let budget = 64 * (instructions.count + input.count + 16)
        var steps = 0
        var stack: [(Int, Int)] = []
        for start in 0...lastStart {
            switch run(input, from: start, stack: &stack, steps: &steps, budget: budget, memo: nil) {
            case .some(true): return true
            case .some(false): continue
            case .none:
                // Too many steps: start again, remembering failed states, for a bounded run.
                var memo = [UInt64](repeating: 0, count: (instructions.count * (input.count + 1) + 63) / 64)
                for start in 0...lastStart {
                    var unlimited = 0
                    if run(input, from: start, stack: &stack, steps: &unlimited, budget: Int.max, memo: &memo)
                        == true
                    {
                        return true
                    }
                }
                return false
            }
        }
        return false
    }

    /// One attempt from `start`: true on a match, false when none, nil when the step budget ran out.
    private func run(
        _ input: UnsafeBufferPointer<UInt32>, from start: Int, stack: inout [(Int, Int)], steps: inout Int,
        budget: Int, memo: UnsafeMutablePointer<[UInt64]>?
    ) -> Bool? {
        stack.removeAll(keepingCapacity: true)
        stack.append((0, start))
        let count = input.count
        return instructions.withUnsafeBufferPointer { program in
            while let (firstPc, firstSp) = stack.popLast() {
                var pc = firstPc
                var sp = firstSp
                thread: while true {
                    steps += 1
                    if steps > budget { return nil }
                    if let memo {
                        let bit = pc * (count + 1) + sp
                        if memo.pointee[bit >> 6] & (1 << UInt64(bit & 63)) != 0 { break thread }
                        memo.pointee[bit >> 6] |= 1 << UInt64(bit & 63)
                    }
                    let instruction = program[pc]
                    switch instruction.operation {
                    case .scalar:
                        guard sp < count, input[sp] == UInt32(bitPattern: instruction.first) else {
                            break thread
                        }
                        pc += 1
                        sp += 1
                    case .set:
                        guard sp < count else { break thread }
                        let scalar = input[sp]
                        let inside: Bool
                        if scalar < 64 {
                            inside = instruction.asciiLow & (1 << UInt64(scalar)) != 0
                        } else if scalar < 128 {
                            inside = instruction.asciiHigh & (1 << UInt64(scalar - 64)) != 0
                        } else {
                            inside = sets[Int(instruction.first)].contains(scalar)
                        }
                        guard inside else { break thread }
                        pc += 1
                        sp += 1
                    case .split:
                        stack.append((Int(instruction.second), sp))
                        pc = Int(instruction.first)
                    case .jump:
                        pc = Int(instruction.first)
                    case .assertStart:
                        guard sp == 0 else { break thread }
                        pc += 1
                    case .assertEnd:
                        guard sp == count else { break thread }
                        pc += 1
                    case .match:
                        return true
                    }
                }
            }
            return false
        }
    }
}
