namespace Recorder.Signing.TimeStamping;

/// <summary>A time-stamp could not be obtained or did not validate; the message says which authority and why.</summary>
public sealed class TimeStampException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TimeStampException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TimeStampException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TimeStampException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
