using System.Security.Cryptography;
using Recorder.Core.Hashing;

namespace Recorder.Application.Packaging;

/// <summary>A file's size and its SHA-256, SHA-1 and MD5 (lower-case hex), computed in one read.</summary>
/// <param name="Sha256">SHA-256, the hash everything is checked with.</param>
/// <param name="Sha1">SHA-1, for the examiners' tools that still ask for it.</param>
/// <param name="Md5">MD5, for the examiners' tools that still ask for it.</param>
/// <param name="Size">Bytes read.</param>
internal sealed record FileHashes(string Sha256, string Sha1, string Md5, long Size)
{
    /// <summary>Reads <paramref name="path"/> once and hashes it three ways.</summary>
    public static FileHashes Of(string path)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        long size = 0;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            sha1.AppendData(buffer, 0, read);
            md5.AppendData(buffer, 0, read);
            size += read;
        }

        return new FileHashes(Hex.Lower(sha256.GetHashAndReset()), Hex.Lower(sha1.GetHashAndReset()), Hex.Lower(md5.GetHashAndReset()), size);
    }
}
