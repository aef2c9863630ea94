namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// A harness's own check failed on an input the parser accepted (a round trip that does not hold):
/// reported as a crash like any other escaping exception.
/// </summary>
internal sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
