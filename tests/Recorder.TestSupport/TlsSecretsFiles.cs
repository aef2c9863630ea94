using System.Buffers.Binary;
using Recorder.Core.Formats;
using Xunit;

namespace Recorder.TestSupport;

/// <summary>What tests of key-log secrets in extractions build and look for: a minimal ClientHello, pcapng block types, the Decryption Secrets Block's text.</summary>
public static class TlsSecretsFiles
{
    /// <summary>A minimal TLS 1.2 ClientHello record (one cipher suite, no extension) with the given 32-byte client random.</summary>
    public static byte[] ClientHello(byte[] random)
    {
        ArgumentNullException.ThrowIfNull(random);
        byte[] body = [0x03, 0x03, .. random, 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00];
        byte[] handshake = [0x01, 0x00, (byte)(body.Length >> 8), (byte)body.Length, .. body];
        return [0x16, 0x03, 0x01, (byte)(handshake.Length >> 8), (byte)handshake.Length, .. handshake];
    }

    /// <summary>The block types of a pcapng file's bytes, in order.</summary>
    public static List<uint> BlockTypes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var types = new List<uint>();
        for (var offset = 0; offset + 12 <= bytes.Length; offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4)))
        {
            types.Add(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset)));
        }

        return types;
    }

    /// <summary>The text of the first Decryption Secrets Block (which must be of type TLSK), or null when there is none.</summary>
    public static string? DecryptionSecrets(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        for (var offset = 0; offset + 12 <= bytes.Length; offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4)))
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset)) == 0x0A)
            {
                Assert.Equal(PcapngBlocks.TlsKeyLogSecrets, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12));
                return System.Text.Encoding.ASCII.GetString(bytes, offset + 16, length);
            }
        }

        return null;
    }
}
