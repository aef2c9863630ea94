using System.Runtime.InteropServices;
using System.Threading.Channels;
using SharpPcap;
using SharpPcap.LibPcap;
using Recorder.Core.Capture;
using Recorder.Core.Formats;

namespace Recorder.Capture.Live;

/// <summary>Settings of a live capture.</summary>
public sealed record LiveCaptureOptions
{
    /// <summary>The interface name, e.g. <c>eth0</c> or <c>lo</c>.</summary>
    public required string Interface { get; init; }

    /// <summary>A libpcap filter expression applied in the kernel, if any.</summary>
    public string? Filter { get; init; }

    /// <summary>Snapshot length: full packets by default.</summary>
    public int SnapLength { get; init; } = CaptureFileReader.MaxRecordLength;

    /// <summary>The kernel buffer (libpcap <c>pcap_set_buffer_size</c>).</summary>
    public int KernelBufferBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Packets the queue between capture and disk holds before Recorder drops (and counts) packets.</summary>
    public int QueueCapacity { get; init; } = 65_536;

    /// <summary>Capture in promiscuous mode.</summary>
    public bool Promiscuous { get; init; } = true;
}

/// <summary>
/// A live capture through libpcap (SharpPcap): full snap length, nanosecond timestamps, a kernel
/// filter if asked. The capture thread does nothing but copy each packet into a pooled buffer and
/// offer it to a bounded channel; when the channel is full the packet is dropped and counted, never
/// silently lost. Kernel and interface drops come from libpcap's statistics.
/// </summary>
public sealed class LivePcapSource : IDisposable
{
    private readonly LibPcapLiveDevice _device;
    private readonly Channel<LiveFrame> _channel;
    private readonly LiveCaptureOptions _options;
    private Thread? _thread;
    private volatile bool _stopping;
    private long _recorderDropped;
    private long _delivered;
    private Exception? _failure;
    private LiveStatistics? _finalStatistics;

    private LivePcapSource(LibPcapLiveDevice device, LiveCaptureOptions options, CaptureInterface captureInterface)
    {
        _device = device;
        _options = options;
        Interface = captureInterface;
        _channel = Channel.CreateBounded<LiveFrame>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The interface as it is described in segments.</summary>
    public CaptureInterface Interface { get; }

    /// <summary>The packets, in capture order; completes when the capture stops.</summary>
    public ChannelReader<LiveFrame> Frames => _channel.Reader;

    /// <summary>Packets handed to the queue.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Why the capture thread stopped on its own, if it did.</summary>
    public Exception? Failure => _failure;

    /// <summary>Names of the interfaces libpcap can capture on.</summary>
    public static IReadOnlyList<string> InterfaceNames() => LibPcapLiveDeviceList.Instance.Select(d => d.Name).ToList();

    /// <summary>Opens the interface; throws <see cref="ArgumentException"/> for an unknown interface or bad filter.</summary>
    public static LivePcapSource Open(LiveCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == options.Interface)
            ?? throw new ArgumentException($"no capture interface named '{options.Interface}' (have: {string.Join(", ", InterfaceNames())})");
        var configuration = new DeviceConfiguration
        {
            Snaplen = options.SnapLength,
            Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            ReadTimeout = 100,
            BufferSize = options.KernelBufferBytes,
            TimestampResolution = SharpPcap.TimestampResolution.Nanosecond,
            Immediate = true,
        };
        device.Open(configuration);
        try
        {
            if (device.TimestampResolution != SharpPcap.TimestampResolution.Nanosecond)
            {
                throw new InvalidOperationException($"{options.Interface}: libpcap cannot deliver nanosecond timestamps here");
            }

            if (!string.IsNullOrWhiteSpace(options.Filter))
            {
                using var check = new Filtering.PcapFilterCompiler().TryCompile(options.Filter, (int)device.LinkType, out var error);
                if (check is null)
                {
                    throw new ArgumentException($"--filter: {error}");
                }

                device.Filter = options.Filter;
            }

            var captureInterface = new CaptureInterface((int)device.LinkType, (uint)options.SnapLength,
                Core.Formats.TimestampResolution.Nanoseconds, 0, device.Name, device.Description);
            return new LivePcapSource(device, options, captureInterface);
        }
        catch
        {
            device.Close();
            throw;
        }
    }

    /// <summary>Starts the capture thread.</summary>
    public void Start()
    {
        _thread = new Thread(CaptureLoop) { IsBackground = true, Name = "capture " + _options.Interface, Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>Stops capturing; packets already queued remain readable from <see cref="Frames"/>.</summary>
    public LiveStatistics Stop()
    {
        _stopping = true;

        // A read blocked in the kernel (immediate mode waits for a packet) is woken up, so stopping
        // never depends on more traffic arriving.
        Filtering.LibPcapNative.BreakLoop(_device.Handle.DangerousGetHandle());
        _thread?.Join();
        return Statistics();
    }

    /// <summary>The counters so far (final once stopped).</summary>
    public LiveStatistics Statistics()
    {
        if (_finalStatistics is not null)
        {
            return _finalStatistics;
        }

        var stats = _device.Statistics;
        return new LiveStatistics(stats.ReceivedPackets, stats.DroppedPackets, stats.InterfaceDroppedPackets, Interlocked.Read(ref _recorderDropped));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_stopping)
        {
            Stop();
        }

        _device.Close();
    }

    private void CaptureLoop()
    {
        try
        {
            var header = IntPtr.Zero;
            var data = IntPtr.Zero;
            while (!_stopping)
            {
                var result = _device.GetNextPacketPointers(ref header, ref data);
                if (result == 1)
                {
                    Copy(header, data);
                }
                else if (result < 0)
                {
                    if (result == -2)
                    {
                        break;
                    }

                    throw new InvalidOperationException($"{_options.Interface}: capture failed: {_device.LastError}");
                }
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            try
            {
                _finalStatistics = Statistics();
            }
            catch (PcapException)
            {
                _finalStatistics = new LiveStatistics(0, 0, 0, Interlocked.Read(ref _recorderDropped));
            }

            _channel.Writer.TryComplete(_failure);
        }
    }

    private unsafe void Copy(IntPtr header, IntPtr data)
    {
        // struct pcap_pkthdr (64-bit Unix): tv_sec (8), tv_usec (8, nanoseconds with nanosecond precision), caplen, len.
        var seconds = Marshal.ReadInt64(header, 0);
        var fraction = Marshal.ReadInt64(header, 8);
        var captured = Marshal.ReadInt32(header, 16);
        var original = unchecked((uint)Marshal.ReadInt32(header, 20));
        var frame = LiveFrame.Copy(new ReadOnlySpan<byte>((void*)data, captured), original, (seconds * 1_000_000_000L) + fraction);
        if (_channel.Writer.TryWrite(frame))
        {
            Interlocked.Increment(ref _delivered);
        }
        else
        {
            frame.Release();
            Interlocked.Increment(ref _recorderDropped);
        }
    }
}
