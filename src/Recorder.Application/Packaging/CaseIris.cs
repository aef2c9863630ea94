using System.Security.Cryptography;
using System.Text;

namespace Recorder.Application.Packaging;

/// <summary>
/// Mints the node identifiers of a package's case.jsonld: <c>kb:KIND-UUID</c>, where the UUID is
/// name-based (version 5, RFC 9562 §5.5) in the package id's namespace. UCO 1.4.0 requires every
/// UcoThing (objects, facets, hashes) to be an IRI, not a blank node, and advises that it end in a
/// UUID; a name-based UUID makes the same package always carry the same identifiers, and keeps
/// anything a user typed (a case id with spaces, quotes or backslashes) out of every IRI, so no
/// JSON-LD processor can reject or drop a node over its identifier.
/// </summary>
internal sealed class CaseIris
{
    private readonly byte[] _namespace = new byte[16];

    /// <param name="packageId">The package's id: the namespace of every UUID minted.</param>
    public CaseIris(Guid packageId) =>
        // RFC 9562 §5.5 hashes the namespace in network byte order.
        packageId.TryWriteBytes(_namespace, bigEndian: true, out _);

    /// <summary>
    /// The identifier of the node of kind <paramref name="kind"/> (a fixed ASCII word chosen by the
    /// writer) named <paramref name="key"/> (any text: it only enters the hash).
    /// </summary>
    public string Mint(string kind, string key) => $"kb:{kind}-{NameBased(kind + "\n" + key):D}";

    private Guid NameBased(string name)
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(_namespace);
        sha1.AppendData(Encoding.UTF8.GetBytes(name));
        Span<byte> bytes = stackalloc byte[20];
        sha1.GetHashAndReset(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes[..16], bigEndian: true);
    }
}
