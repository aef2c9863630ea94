using System.Globalization;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Sessions;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Files;
using Recorder.Sessions.Ftp;
using Recorder.Sessions.Http;
using Recorder.Sessions.Smtp;
using Recorder.Sessions.Tls;

namespace Recorder.Benchmarks.Agreement;

/// <summary>
/// Recorder's side: the capture through a <see cref="SessionBuilder"/> wired as the metadata builder
/// wires it (every default dissector, files to a <see cref="FileObserver"/>), values per field.
/// </summary>
public static class OurFields
{
    public static Dictionary<string, List<string>> Collect(string capture)
    {
        var records = new List<SessionRecord>();
        var files = new List<TransferredFile>();
        var builder = new SessionBuilder(new SessionOptions(), records.Add, ApplicationSignatures.DefaultStreamFactories(new FileObserver(files.Add)),
            ApplicationSignatures.DefaultDatagramFactories());
        using (var reader = CaptureFileReader.Open(capture))
        {
            while (reader.TryRead(out var packet))
            {
                builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: 0, (int)packet.OriginalLength);
            }
        }

        builder.Complete();
        var values = Fields.All.ToDictionary(f => f, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.Protocol is Protocols.Tcp or Protocols.Udp)
            {
                var client = string.Create(CultureInfo.InvariantCulture, $"{record.Format(record.Client)}:{record.Client.Port}");
                var server = string.Create(CultureInfo.InvariantCulture, $"{record.Format(record.Server)}:{record.Server.Port}");
                values[record.Protocol == Protocols.Tcp ? Fields.TcpSessions : Fields.UdpSessions].Add(Fields.Conversation(client, server));
            }

            switch (record.Metadata)
            {
                case DnsSessionMetadata dns:
                    values[Fields.DnsQueryNames].AddRange(dns.Messages.SelectMany(m => m.Questions).Select(q => q.Name));
                    break;
                case HttpSessionMetadata http:
                    foreach (var request in http.Transactions.Where(t => t.Method is not null))
                    {
                        values[Fields.HttpHosts].Add(request.Host ?? string.Empty);
                        values[Fields.HttpUris].Add(request.Uri ?? string.Empty);
                    }

                    break;
                case TlsSessionMetadata { Tls: { } tls }:
                    AddHellos(values, tls.ClientHello, tls.ServerHello);
                    AddHellos(values, tls.RetryClientHello, null);
                    values[Fields.CertificateSha256].AddRange(tls.Certificates.Select(c => c.Sha256));
                    break;
                case QuicSessionMetadata { Quic: { } quic }:
                    AddHellos(values, quic.ClientHello, quic.ServerHello);
                    AddHellos(values, quic.RetryClientHello, null);
                    break;
                case SmtpSessionMetadata smtp:
                    values[Fields.SmtpSubjects].AddRange(smtp.Messages.Where(m => m.Subject is not null).Select(m => m.Subject!));
                    break;
                case FtpSessionMetadata ftp:
                    values[Fields.FtpCommands].AddRange(ftp.Commands.Select(c => c.Verb));
                    break;
                default:
                    break;
            }
        }

        values[Fields.HttpObjectSha256].AddRange(files.Where(f => f.Protocol == "http" && f.Complete && f.Sha256 is not null).Select(f => f.Sha256!));
        values[Fields.FtpObjectSha256].AddRange(files.Where(f => f.Protocol == "ftp" && f.Complete && f.Sha256 is not null).Select(f => f.Sha256!));
        return values;
    }

    private static void AddHellos(Dictionary<string, List<string>> values, TlsClientHello? client, TlsServerHello? server)
    {
        if (client is not null)
        {
            if (!string.IsNullOrEmpty(client.ServerName))
            {
                values[Fields.TlsSni].Add(client.ServerName);
            }

            values[Fields.Ja3].Add(client.Ja3);
        }

        if (server is not null)
        {
            values[Fields.Ja3S].Add(server.Ja3S);
        }
    }
}
