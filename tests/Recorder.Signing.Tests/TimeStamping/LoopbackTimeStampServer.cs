using System.Net;
using System.Net.Sockets;

namespace Recorder.Signing.Tests.TimeStamping;

/// <summary>
/// A minimal RFC 3161 HTTP server on 127.0.0.1 (System.Net.HttpListener, no external network):
/// every POST is answered by <see cref="Answer"/>, by default an authority's Respond.
/// </summary>
public sealed class LoopbackTimeStampServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    public LoopbackTimeStampServer(Func<byte[], byte[]> respond)
    {
        Answer = request => (200, "application/timestamp-reply", respond(request));
        (_listener, Port) = StartOnFreePort();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/tsa/");

    public Func<byte[], (int Status, string ContentType, byte[] Body)> Answer { get; set; }

    public List<string> RequestContentTypes { get; } = [];

    public List<byte[]> Requests { get; } = [];

    public void Dispose()
    {
        // Close alone: on Unix, Stop followed by Close removes the listener's prefixes twice, and the
        // second removal binds the port again to find its endpoint, which fails with "Address already
        // in use" once a test running beside this one has taken the port.
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static (HttpListener Listener, int Port) StartOnFreePort()
    {
        // The probe's port is free when it is read, but a test running beside this one may take it
        // before the listener binds it: try again on another port.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/tsa/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Abort();
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var request = body.ToArray();
            lock (Requests)
            {
                Requests.Add(request);
                RequestContentTypes.Add(context.Request.ContentType ?? string.Empty);
            }

            var (status, type, reply) = Answer(request);
            context.Response.StatusCode = status;
            context.Response.ContentType = type;
            context.Response.ContentLength64 = reply.Length;
            await context.Response.OutputStream.WriteAsync(reply);
            context.Response.Close();
        }
    }
}
