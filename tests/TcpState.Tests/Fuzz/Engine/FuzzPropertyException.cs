using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace TcpState.Tests.Fuzz;

/// <summary>A property of a fuzz case did not hold. Any other exception from a case is code under test escaping.</summary>
public sealed class FuzzPropertyException : Exception
{
    public FuzzPropertyException(string message)
        : base(message)
    {
    }

    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Check([DoesNotReturnIf(false)] bool condition, string property)
    {
        if (!condition)
        {
            throw new FuzzPropertyException(property);
        }
    }

    /// <summary>
    /// Throws when <paramref name="condition"/> is false; the message is only formatted then, so that
    /// a million passing checks cost no string building.
    /// </summary>
    public static void Check([DoesNotReturnIf(false)] bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage property)
    {
        if (!condition)
        {
            throw new FuzzPropertyException(property.ToString());
        }
    }

    /// <summary>Formats its interpolation only when the condition it was given is false.</summary>
    [InterpolatedStringHandler]
    public ref struct FailureMessage
    {
        private readonly StringBuilder? _text;

        public FailureMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
        {
            _ = formattedCount;
            shouldAppend = !condition;
            _text = condition ? null : new StringBuilder(literalLength + 64);
        }

        public readonly void AppendLiteral(string value) => _text!.Append(value);

        public readonly void AppendFormatted<T>(T value) => _text!.Append(value);

        public override readonly string ToString() => _text?.ToString() ?? "";
    }
}
