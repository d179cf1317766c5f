import NIOConcurrencyHelpers

/// The pipeline in force, swappable as a whole by `config.reload` while queries run.
/// A query reads it once; queries already running finish on the pipeline they started with.
public final class PipelineReference: Sendable {
    private let box: NIOLockedValueBox<Pipeline>

    public init(_ pipeline: Pipeline) { box = NIOLockedValueBox(pipeline) }

    public var current: Pipeline { box.withLockedValue { $0 } }

    public func replace(with pipeline: Pipeline) { box.withLockedValue { $0 = pipeline } }
}
