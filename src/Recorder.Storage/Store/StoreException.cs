namespace Recorder.Storage.Store;

/// <summary>A store that cannot be used: missing, of another format version, or damaged beyond use.</summary>
public sealed class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public StoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
