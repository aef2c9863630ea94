using System.Text;
using Recorder.Signing;

namespace Recorder.Application.Packaging;

/// <summary>
/// <c>SHA256SUMS</c> (<c>sha256sum -c</c> format) over every other file of the package, signed as a
/// whole in <c>SHA256SUMS.sig</c>: with it nothing can be changed, added or removed unnoticed. It is
/// written last, once every other file is final.
/// </summary>
internal static class PackageSums
{
    /// <summary>Writes both files into <paramref name="work"/>; returns the files listed, relative, in ordinal order.</summary>
    public static IReadOnlyList<string> Write(string work, Ed25519Key key)
    {
        var listed = Directory.GetFiles(work, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(work, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sums = new StringBuilder();
        foreach (var file in listed)
        {
            sums.Append(FileHashes.Of(Path.Combine(work, file)).Sha256).Append("  ").Append(file).Append('\n');
        }

        var sumBytes = Encoding.ASCII.GetBytes(sums.ToString());
        File.WriteAllBytes(Path.Combine(work, "SHA256SUMS"), sumBytes);
        File.WriteAllBytes(Path.Combine(work, "SHA256SUMS.sig"), key.Sign(sumBytes));
        return listed;
    }
}
