using System.Globalization;
using System.Text;

namespace Recorder.Synthesis.Packets;

/// <summary>Appends ASCII text and invariant-culture numbers to a byte span without allocating.</summary>
internal ref struct AsciiWriter
{
    private readonly Span<byte> _destination;

    public AsciiWriter(Span<byte> destination)
    {
        _destination = destination;
        Length = 0;
    }

    public int Length { get; private set; }

    public void Append(scoped ReadOnlySpan<byte> text)
    {
        text.CopyTo(_destination[Length..]);
        Length += text.Length;
    }

    public void Append(string text)
    {
        Length += Encoding.ASCII.GetBytes(text, _destination[Length..]);
    }

    public void Append(long value)
    {
        if (!value.TryFormat(_destination[Length..], out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("synthesized text does not fit its buffer");
        }

        Length += written;
    }

    public void AppendHex(uint value, int digits)
    {
        if (!value.TryFormat(_destination[Length..], out var written, digits == 8 ? "x8" : "x", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("synthesized text does not fit its buffer");
        }

        Length += written;
    }
}
