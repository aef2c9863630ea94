namespace Recorder.Synthesis;

/// <summary>Thrown when <see cref="TrafficSynthesizer"/> is given options it cannot honour; lists every problem.</summary>
public sealed class SynthesisOptionsException : ArgumentException
{
    /// <summary>Creates the exception from the problems found.</summary>
    public SynthesisOptionsException(IReadOnlyList<string> problems)
        : base("invalid synthesis options: " + string.Join("; ", problems ?? []))
    {
        Problems = problems ?? [];
    }

    /// <summary>Creates the exception.</summary>
    public SynthesisOptionsException()
        : this(["invalid synthesis options"])
    {
    }

    /// <summary>Creates the exception.</summary>
    public SynthesisOptionsException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception.</summary>
    public SynthesisOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Every problem found, one line each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
