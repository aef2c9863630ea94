using System.Security.Cryptography;
using Recorder.Api.Serving;

namespace Recorder.Api.Tests.Serving;

/// <summary>
/// The copy that serves recorded files: whatever byte changed, and whatever the buffer size, the
/// writer never receives the whole recorded length of changed bytes, and the hash reported is that
/// of exactly the bytes read. Checked exhaustively over every byte of a small file.
/// </summary>
public sealed class VerifiedCopyTests
{
    private static readonly byte[] Original = Enumerable.Range(0, 777).Select(i => unchecked((byte)(i * 31 + 7))).ToArray();

    private static RecordedFile Recorded => new("unused", Original.Length, Convert.ToHexStringLower(SHA256.HashData(Original)));

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(777)]
    [InlineData(4096)]
    public async Task Copy_OfTheRecordedBytes_SendsThemAll(int buffer)
    {
        var (sent, outcome) = await CopyAsync(Original, buffer);

        Assert.True(outcome.Matches);
        Assert.Equal(Original, sent);
        Assert.Equal(Recorded.Sha256, outcome.Sha256);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(777)]
    [InlineData(4096)]
    public async Task Copy_WithAnyOneByteChanged_NeverSendsTheWholeLength_AndReportsTheHashOfWhatWasRead(int buffer)
    {
        for (var position = 0; position < Original.Length; position++)
        {
            var changed = (byte[])Original.Clone();
            changed[position] ^= 0x5a;

            var (sent, outcome) = await CopyAsync(changed, buffer);

            Assert.False(outcome.Matches, $"byte {position}");
            Assert.True(sent.Length < Original.Length, $"byte {position}: all {sent.Length} bytes were sent");
            Assert.Equal(changed.AsSpan(0, sent.Length).ToArray(), sent);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(changed)), outcome.Sha256);
        }
    }

    [Fact]
    public async Task Copy_OfAShorterFile_IsAMismatch_AndAGrownFileIsReadOnlyToItsRecordedSize()
    {
        var (shortSent, shorter) = await CopyAsync(Original[..^1], 64);
        Assert.False(shorter.Matches);
        Assert.True(shortSent.Length < Original.Length, "a shorter file never reaches the recorded length (the Content-Length)");

        var (grownSent, grown) = await CopyAsync([.. Original, 1, 2, 3], 64);
        Assert.True(grown.Matches);
        Assert.Equal(Original, grownSent);
    }

    private static async Task<(byte[] Sent, ReadOutcome Outcome)> CopyAsync(byte[] content, int buffer)
    {
        using var source = new MemoryStream(content);
        using var sink = new MemoryStream();
        var outcome = await VerifiedCopy.CopyAsync(source, Recorded, (bytes, token) => sink.WriteAsync(bytes, token), buffer, CancellationToken.None);
        return (sink.ToArray(), outcome);
    }
}
