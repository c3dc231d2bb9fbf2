using System.Buffers;
using System.Globalization;
using System.Text;

namespace TcpState.Exposition;

/// <summary>
/// Writes UTF-8 exposition text straight into an <see cref="IBufferWriter{T}"/>, asking it for
/// large chunks so that samples are written without intermediate strings.
/// </summary>
internal ref struct Utf8ExpositionWriter
{
    private const int ChunkSize = 16 * 1024;

    // Strings are encoded in slices so that the worst-case UTF-8 size of a slice stays small.
    private const int MaxCharsPerSlice = 1024;

    // The longest "R" form is 24 characters ("-2.2250738585072014E-308"); keep a margin.
    private const int MaxDoubleLength = 32;

    private static readonly SearchValues<char> LabelValueEscapes = SearchValues.Create("\\\"\n");
    private static readonly SearchValues<char> HelpEscapes = SearchValues.Create("\\\n");

    // Encoding.UTF8 replaces lone surrogates with U+FFFD, so any .NET string yields valid UTF-8.
    private static readonly Encoding Utf8 = Encoding.UTF8;

    private readonly IBufferWriter<byte> output;
    private Span<byte> buffer;
    private int buffered;

    public Utf8ExpositionWriter(IBufferWriter<byte> output)
    {
        this.output = output;
        this.buffer = default;
        this.buffered = 0;
    }

    public void WriteByte(byte value)
    {
        this.Reserve(1);
        this.buffer[this.buffered++] = value;
    }

    public void WriteAscii(scoped ReadOnlySpan<byte> value)
    {
        this.Reserve(value.Length);
        value.CopyTo(this.buffer[this.buffered..]);
        this.buffered += value.Length;
    }

    /// <summary>Writes a string known to be a valid metric, label or unit name (ASCII only).</summary>
    public void WriteName(string name)
    {
        this.Reserve(name.Length);
        this.buffered += Encoding.ASCII.GetBytes(name, this.buffer[this.buffered..]);
    }

    /// <summary>Writes a label value, escaping backslash, double quote and line feed.</summary>
    public void WriteLabelValue(string value) => this.WriteEscaped(value, LabelValueEscapes);

    /// <summary>
    /// Writes help text. The 0.0.4 format escapes backslash and line feed only; OpenMetrics
    /// also forbids a bare double quote there, so it is escaped like in label values.
    /// </summary>
    public void WriteHelp(string value, bool openMetrics) =>
        this.WriteEscaped(value, openMetrics ? LabelValueEscapes : HelpEscapes);

    /// <summary>Writes a sample value: shortest round-trip invariant form, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</summary>
    public void WriteDouble(double value)
    {
        if (!this.TryWriteNonFinite(value))
        {
            this.WriteFinite(value);
        }
    }

    /// <summary>
    /// Writes a histogram bound as an OpenMetrics canonical number, which always carries a
    /// fraction or exponent (<c>1.0</c>, not <c>1</c>), so that the <c>le</c> label of a series
    /// is identical whichever format Prometheus negotiated.
    /// </summary>
    public void WriteCanonicalBound(double value)
    {
        if (this.TryWriteNonFinite(value))
        {
            return;
        }

        // Reserve room for the number and ".0" up front so that no flush moves the written bytes.
        this.Reserve(MaxDoubleLength + 2);
        var start = this.buffered;
        this.WriteFinite(value);
        var written = this.buffer[start..this.buffered];
        if (written.IndexOfAny((byte)'.', (byte)'E') < 0)
        {
            this.WriteAscii(".0"u8);
        }
    }

    public void WriteLong(long value)
    {
        this.Reserve(20);
        if (!value.TryFormat(this.buffer[this.buffered..], out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A 64-bit integer did not fit its reserved space.");
        }

        this.buffered += written;
    }

    /// <summary>Commits everything written so far to the underlying buffer writer.</summary>
    public void Flush()
    {
        if (this.buffered > 0)
        {
            this.output.Advance(this.buffered);
        }

        this.buffer = default;
        this.buffered = 0;
    }

    private bool TryWriteNonFinite(double value)
    {
        if (double.IsNaN(value))
        {
            this.WriteAscii("NaN"u8);
        }
        else if (double.IsPositiveInfinity(value))
        {
            this.WriteAscii("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            this.WriteAscii("-Inf"u8);
        }
        else
        {
            return false;
        }

        return true;
    }

    private void WriteFinite(double value)
    {
        // "R" is the shortest round-trip form: 3 → "3", 0.1 → "0.1", 1e20 → "1E+20".
        this.Reserve(MaxDoubleLength);
        if (!value.TryFormat(this.buffer[this.buffered..], out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit its reserved space.");
        }

        this.buffered += written;
    }

    private void WriteEscaped(string value, SearchValues<char> escapes)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var index = rest.IndexOfAny(escapes);
            if (index < 0)
            {
                this.WriteUtf8(rest);
                return;
            }

            this.WriteUtf8(rest[..index]);
            this.WriteAscii(rest[index] switch
            {
                '\n' => "\\n"u8,
                '"' => "\\\""u8,
                _ => "\\\\"u8,
            });
            rest = rest[(index + 1)..];
        }
    }

    private void WriteUtf8(ReadOnlySpan<char> value)
    {
        while (!value.IsEmpty)
        {
            var length = Math.Min(value.Length, MaxCharsPerSlice);

            // Never cut a surrogate pair in two, or both halves would become U+FFFD.
            if (length < value.Length && char.IsHighSurrogate(value[length - 1]))
            {
                length--;
            }

            var slice = value[..length];
            this.Reserve(Utf8.GetMaxByteCount(slice.Length));
            this.buffered += Utf8.GetBytes(slice, this.buffer[this.buffered..]);
            value = value[length..];
        }
    }

    private void Reserve(int size)
    {
        if (this.buffer.Length - this.buffered >= size)
        {
            return;
        }

        this.Flush();
        this.buffer = this.output.GetSpan(Math.Max(size, ChunkSize));
    }
}
