using System.Text;
using TcpState.Exporter.Web;

namespace TcpState.Tests.Exporter.Web;

public class PasswordHashTests
{
    [Fact]
    public void Create_ThenVerify_AcceptsOnlyTheSamePassword()
    {
        var text = PasswordHash.Create("correct horse", iterations: 100_000);

        Assert.True(PasswordHash.TryParse(text, out var hash, out _));
        Assert.True(hash!.Verify(Encoding.UTF8.GetBytes("correct horse")));
        Assert.False(hash.Verify(Encoding.UTF8.GetBytes("correct horsE")));
        Assert.False(hash.Verify([]));
    }

    [Fact]
    public void Create_SamePasswordTwice_SaltsDiffer() =>
        Assert.NotEqual(PasswordHash.Create("x", 100_000), PasswordHash.Create("x", 100_000));

    [Theory]
    [InlineData("plaintext")]
    [InlineData("$2y$10$abcdefghijklmnopqrstuu5Bq5TnQ2kK0pQeZ0Q9yXK1H0y3Xq1Zy")] // bcrypt: not accepted, said so
    [InlineData("$pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$600000$!!$AAAA")]
    [InlineData("$pbkdf2-sha256$600000$c2FsdHNhbHQ=$AAAA")]
    public void TryParse_NotAUsableHash_FailsWithAReason(string text)
    {
        Assert.False(PasswordHash.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
