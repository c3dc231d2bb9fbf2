namespace TcpState.Tests.TestSupport;

/// <summary>An HTTP response as read off the wire.</summary>
public sealed record HttpResult(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}
