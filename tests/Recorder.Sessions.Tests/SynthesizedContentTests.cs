using System.Globalization;
using System.Security.Cryptography;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Packets;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Files;
using Recorder.Sessions.Http;
using Recorder.Sessions.Tls;
using Recorder.Synthesis.Content;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests;

/// <summary>The session table of the content synthesizer's captures against the synthesizer's own truth (and tshark's exported objects).</summary>
public sealed class SynthesizedContentTests
{
    internal static (List<SessionRecord> Sessions, List<TransferredFile> Files) Sessionise(string path)
    {
        var records = new List<SessionRecord>();
        var files = new List<TransferredFile>();
        var builder = new SessionBuilder(new SessionOptions(), records.Add, ApplicationSignatures.DefaultStreamFactories(new FileObserver(files.Add)),
            ApplicationSignatures.DefaultDatagramFactories());
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: 0, (int)packet.OriginalLength);
            }
        }

        builder.Complete();
        return (records, files);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(12UL)]
    [InlineData(977UL)]
    public void Metadata_OfSynthesizedContent_EqualsTheTruth(ulong seed)
    {
        using var directory = new TempDirectory();
        var capture = directory.File("content.pcap");
        var truth = ContentSynthesizer.Write(capture, seed);
        var (sessions, files) = Sessionise(capture);

        static string Endpoints(string protocol, string client, int clientPort, string server, int serverPort, string application) =>
            string.Create(CultureInfo.InvariantCulture, $"{protocol} {client}:{clientPort} > {server}:{serverPort} {application}");
        Assert.Equal(
            truth.Sessions.Select(s => Endpoints(s.Protocol, s.Client, s.ClientPort, s.Server, s.ServerPort, s.Application)).Order(StringComparer.Ordinal),
            sessions.Select(s => Endpoints(s.Protocol == Protocols.Tcp ? "tcp" : "udp", s.Format(s.Client), s.Client.Port, s.Format(s.Server), s.Server.Port,
                s.Application ?? "none")).Order(StringComparer.Ordinal));
        Assert.All(sessions, s => Assert.False(s.ContentIncomplete));

        var messages = sessions.Select(s => s.Metadata).OfType<DnsSessionMetadata>().SelectMany(m => m.Messages).ToList();
        Assert.All(messages, m => Assert.Null(m.Malformed));
        Assert.Equal(truth.DnsQueryNames.Order(StringComparer.Ordinal), messages.SelectMany(m => m.Questions).Select(q => q.Name).Order(StringComparer.Ordinal));

        var transactions = sessions.Select(s => s.Metadata).OfType<HttpSessionMetadata>().SelectMany(m => m.Transactions).ToList();
        Assert.Equal(truth.HttpRequests.Select(r => $"{r.Method} {r.Host} {r.Uri} {r.UserAgent}"),
            transactions.Select(t => $"{t.Method} {t.Host} {t.Uri} {t.UserAgent}"));
        var httpFiles = files.Where(f => f.Protocol == "http").ToList();
        Assert.Equal(truth.HttpObjects.Select(o => $"{o.Uri} {o.Length} {o.Sha256}"),
            httpFiles.Select(f => $"{f.Uri} {f.Length} {f.Sha256}"));
        Assert.All(files, f => Assert.True(f.Complete, $"{f.Protocol} {f.Uri} {f.Name}: {f.Issues} {f.DecodingError}"));
        Assert.Equal(truth.HttpObjects.Select(o => o.ContentEncoding), httpFiles.Select(f => f.ContentEncoding));

        var tls = Assert.Single(sessions.Select(s => s.Metadata).OfType<TlsSessionMetadata>()).Tls!;
        var expected = Assert.Single(truth.TlsHandshakes);
        Assert.Equal(expected.ServerName, tls.ClientHello?.ServerName);
        Assert.Equal(expected.Ja3, tls.ClientHello?.Ja3);
        Assert.Equal(expected.Ja3S, tls.ServerHello?.Ja3S);
        var certificate = Assert.Single(tls.Certificates);
        Assert.Equal(expected.CertificateSha256, certificate.Sha256);
        Assert.Null(certificate.Malformed);
        Assert.Contains(expected.ServerName, certificate.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Content_IsAFunctionOfTheSeed_AndTheCertificateIsAValidSelfSignedOne()
    {
        using var first = new MemoryStream();
        using var again = new MemoryStream();
        using var other = new MemoryStream();
        var truth = ContentSynthesizer.Write(first, 5);
        ContentSynthesizer.Write(again, 5);
        var otherTruth = ContentSynthesizer.Write(other, 6);
        Assert.Equal(first.ToArray(), again.ToArray());
        Assert.NotEqual(first.ToArray(), other.ToArray());
        Assert.NotEqual(truth.TlsHandshakes[0].CertificateSha256, otherTruth.TlsHandshakes[0].CertificateSha256);
        Assert.Equal(truth.FileBytes, first.Length);

        // The certificate in the capture is the one the truth names, and it verifies under its own key.
        using var directory = new TempDirectory();
        var capture = directory.File("content.pcap");
        File.WriteAllBytes(capture, first.ToArray());
        var record = Sessionise(capture).Sessions.Select(s => s.Metadata).OfType<TlsSessionMetadata>().Single().Tls!.Certificates.Single();
        var der = FindCertificate(first.ToArray(), record.Length);
        Assert.Equal(truth.TlsHandshakes[0].CertificateSha256, Hex.Lower(SHA256.HashData(der)));
        using var x509 = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(truth.TlsHandshakes[0].CertificateSubject, x509.Subject);
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(x509);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = x509.NotBefore.AddDays(1);
        Assert.True(chain.Build(x509), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    /// <summary>
    /// Pins the bytes of seed 12 (the agreement benchmark's capture). The certificate is encoded by
    /// System.Security.Cryptography; if a .NET release changes its DER encoding this fails, and the
    /// content synthesizer's output has changed: update the digest and say so in docs/synthesizer.md.
    /// </summary>
    [Fact]
    public void Content_Seed12_MatchesThePinnedDigest()
    {
        using var output = new MemoryStream();
        ContentSynthesizer.Write(output, 12);
        Assert.Equal("fd8594808677e93d590ac8149c75a587762f1f6a44e22b7248d30d5c54effc3f", Hex.Lower(SHA256.HashData(output.ToArray())));
    }

    /// <summary>The certificate's DER in the capture: a SEQUENCE (0x30 0x82 and a two-byte length) of the parsed length.</summary>
    private static byte[] FindCertificate(byte[] capture, int length)
    {
        ReadOnlySpan<byte> head = [0x30, 0x82, (byte)((length - 4) >> 8), (byte)((length - 4) & 0xFF)];
        var at = capture.AsSpan().IndexOf(head);
        Assert.True(at >= 0, "the certificate is not in one piece in the capture");
        return capture.AsSpan(at, length).ToArray();
    }

    [SkippableFact]
    public void HttpObjects_OfSynthesizedContent_EqualTsharkExportObjects()
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        using var directory = new TempDirectory();
        var capture = directory.File("content.pcap");
        var truth = ContentSynthesizer.Write(capture, 3);
        var objects = Directory.CreateDirectory(directory.File("objects")).FullName;
        var (exit, _, error) = ExternalTools.Run(tshark, ["-r", capture, "-q", "--export-objects", "http," + objects]);
        Assert.True(exit == 0, error);
        Assert.Equal(truth.HttpObjects.Select(o => o.Sha256).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(objects).Select(f => Hex.Lower(SHA256.HashData(File.ReadAllBytes(f)))).Order(StringComparer.Ordinal));
    }
}
