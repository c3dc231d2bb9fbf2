using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>
/// Label values and help texts an exporter can meet: process names as the kernel keeps them
/// (<c>comm</c>: up to 15 arbitrary bytes, decoded as UTF-8 with replacement exactly as
/// <c>ProcessSocketMap</c> does), executable and unit names, quotes, backslashes, line breaks,
/// escape look-alikes, lone surrogates, and long values that put a surrogate pair across the
/// writer's 1024-character slices.
/// </summary>
public static class HostileText
{
    /// <summary>TASK_COMM_LEN (include/linux/sched.h) minus the terminating NUL.</summary>
    public const int CommLength = 15;

    private static readonly string[] Fragments =
    [
        "\\", "\"", "\n", "\r", "\t", "\\n", "\\\"", "\\\\", "\"\"", "\0", " ", "  ", "{", "}", "=", ",", "#", "# HELP",
        "le=\"", "\u00e9", "\u00ff", "\u2028", "\ufeff", "\ufffd", "\U0001F600", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "日本",
        "process", "other", "(unknown)", "+Inf", "NaN", "-0", "1e308",
    ];

    // Bytes a comm or file name can hold (anything but NUL and, for names, '/').
    private static readonly byte[] NameBytes = "aZ09 _-.:\"\\\n\r\t()[]{}=,#'$"u8.ToArray();

    public static string LabelValue(FuzzRandom rng) => rng.Below(40) switch
    {
        < 8 => CommName(rng, rng.Between(1, CommLength)),
        < 12 => CommName(rng, CommLength),
        < 14 => FileName(rng),
        < 18 => WithSpaces(rng),
        < 26 => Concatenation(rng),
        < 29 => AnyUtf16(rng, rng.Below(40)),
        29 => AcrossSlices(rng), // long: rare, so that promtool batches stay small
        < 32 => "",
        < 34 => CommName(rng, CommLength) + " " + CommName(rng, rng.Between(1, CommLength)),
        _ => rng.Pick(Fragments),
    };

    /// <summary>Help text: never empty (promtool lints a missing help), otherwise as hostile as a value.</summary>
    public static string Help(FuzzRandom rng) => "Fuzz " + LabelValue(rng);

    /// <summary>
    /// A process name as the exporter reads it: <paramref name="length"/> bytes of <c>/proc/PID/comm</c>
    /// (which the kernel ends with a newline), trailing newlines trimmed, decoded as UTF-8 with
    /// replacement characters for invalid sequences.
    /// </summary>
    public static string CommName(FuzzRandom rng, int length)
    {
        Span<byte> comm = stackalloc byte[length + 1];
        for (var i = 0; i < length; i++)
        {
            comm[i] = rng.Below(4) switch
            {
                0 => (byte)rng.Between(0x80, 0xFF), // invalid or partial UTF-8
                1 => rng.Pick(NameBytes),
                _ => (byte)rng.Between(0x01, 0x7F),
            };
        }

        // Now and then a real multi-byte character, possibly cut by the 15-byte limit.
        if (length >= 2 && rng.OneIn(3))
        {
            var character = rng.Pick<byte[]>(["\u00e9"u8.ToArray(), "\u65e5"u8.ToArray(), "\U0001F600"u8.ToArray()]);
            var at = rng.Below(length);
            for (var i = 0; i < character.Length && at + i < length; i++) comm[at + i] = character[i];
        }

        comm[length] = (byte)'\n';
        return DecodeLikeProcessSocketMap(comm.TrimEnd((byte)'\n'));
    }

    /// <summary>What ProcessSocketMap.Decode does with name bytes.</summary>
    public static string DecodeLikeProcessSocketMap(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    // An executable or unit name: up to NAME_MAX bytes, any but NUL and '/'.
    private static string FileName(FuzzRandom rng)
    {
        var bytes = new byte[rng.OneIn(6) ? rng.Between(1, 255) : rng.Between(1, 32)];
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = rng.Coin() ? rng.Pick(NameBytes) : (byte)rng.Between(1, 255);
            bytes[i] = b == (byte)'/' ? (byte)'_' : b;
        }

        return DecodeLikeProcessSocketMap(bytes);
    }

    private static string WithSpaces(FuzzRandom rng)
    {
        var words = new string[rng.Between(2, 5)];
        for (var i = 0; i < words.Length; i++) words[i] = rng.Coin() ? CommName(rng, rng.Between(1, 6)) : rng.Pick(Fragments);
        return string.Join(rng.Coin() ? " " : "  ", words) + (rng.OneIn(4) ? " " : "");
    }

    private static string Concatenation(FuzzRandom rng)
    {
        var text = new StringBuilder();
        var parts = rng.Between(1, 8);
        for (var i = 0; i < parts; i++) text.Append(rng.Coin() ? rng.Pick(Fragments) : AnyUtf16(rng, rng.Below(4)));
        return text.ToString();
    }

    // Any UTF-16 code units, lone surrogates included: what a .NET string can hold.
    private static string AnyUtf16(FuzzRandom rng, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = rng.Below(4) switch
            {
                0 => (char)rng.Between(0xD800, 0xDFFF),
                1 => (char)rng.Between(0, 0x7F),
                _ => (char)rng.NextUInt32(),
            };
        }

        return new string(chars);
    }

    // The writer encodes strings 1024 characters at a time and must not split a surrogate pair.
    private static string AcrossSlices(FuzzRandom rng)
    {
        var text = new StringBuilder();
        var length = rng.Pick<int>([1022, 1023, 1024, 1025, 2047, 2048, 2049, 3071]) + rng.Below(3);
        var sprinkled = rng.OneIn(3); // escapes cut the value into shorter runs, which moves the slice boundaries
        while (text.Length < length) text.Append(sprinkled && rng.OneIn(64) ? '"' : sprinkled && rng.OneIn(64) ? '\\' : 'a');
        var at = Math.Max(0, text.Length - 1 - rng.Below(3));
        text.Insert(at, rng.Coin() ? "\U0001F600" : rng.Pick(Fragments));
        return text.ToString();
    }
}
