using System.Security.Cryptography;

namespace Recorder.Sessions.Files;

/// <summary>
/// Where the dissectors give the files they find (HTTP bodies, SMTP attachments, FTP data): each file
/// record once it ended, and optionally its octets as they pass. One instance serves one
/// <see cref="SessionBuilder"/> (one thread): pass it to
/// <see cref="ApplicationSignatures.DefaultStreamFactories(FileObserver)"/>.
/// </summary>
public sealed class FileObserver
{
    /// <summary>Creates an observer.</summary>
    /// <param name="onFile">Receives each file record when it ended (complete or not).</param>
    /// <param name="content">Receives the files' decoded octets as they pass, or null.</param>
    /// <param name="options">Limits (defaults when null).</param>
    public FileObserver(Action<TransferredFile> onFile, IFileContentSink? content = null, FileExtractionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onFile);
        options ??= new FileExtractionOptions();
        options.Validate();
        OnFile = onFile;
        Content = content;
        Options = options;
    }

    /// <summary>Receives each file record when it ended.</summary>
    public Action<TransferredFile> OnFile { get; }

    /// <summary>Receives the octets, or null.</summary>
    public IFileContentSink? Content { get; }

    /// <summary>The limits in force.</summary>
    public FileExtractionOptions Options { get; }
}

/// <summary>
/// Hashes one file's octets as they pass (SHA-256, SHA-1, MD5), keeps its first
/// <see cref="FileTypes.SniffLength"/> octets for the type and forwards the octets to the content sink.
/// </summary>
internal sealed class FileDigest : IDisposable
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly byte[] _head = new byte[FileTypes.SniffLength];
    private readonly IFileContentSink? _content;
    private int _headLength;

    public FileDigest(TransferredFile file, IFileContentSink? content)
    {
        File = file;
        _content = content;
        _content?.OnFileStart(file);
    }

    public TransferredFile File { get; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_headLength < _head.Length)
        {
            var take = Math.Min(data.Length, _head.Length - _headLength);
            data[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        _sha256.AppendData(data);
        _sha1.AppendData(data);
        _md5.AppendData(data);
        File.Length += data.Length;
        _content?.OnFileData(File, data);
    }

    /// <summary>
    /// Sets the type and, when the file is complete, its hashes (else <see cref="TransferredFile.PartialSha256"/>),
    /// tells the content sink it ended, and returns the three hashes of the octets seen either way.
    /// </summary>
    public (string Sha256, string Sha1, string Md5) Finish()
    {
        var hashes = (Convert.ToHexStringLower(_sha256.GetHashAndReset()), Convert.ToHexStringLower(_sha1.GetHashAndReset()),
            Convert.ToHexStringLower(_md5.GetHashAndReset()));
        File.Type = FileTypes.Detect(_head.AsSpan(0, _headLength));
        if (File.Complete)
        {
            (File.Sha256, File.Sha1, File.Md5) = hashes;
        }
        else
        {
            File.PartialSha256 = hashes.Item1;
        }

        Dispose();
        _content?.OnFileEnd(File);
        return hashes;
    }

    public void Dispose()
    {
        _sha256.Dispose();
        _sha1.Dispose();
        _md5.Dispose();
    }
}
