using System.Text;
using Microsoft.AspNetCore.Http;
using TcpState.Exporter.StatusPage;

namespace TcpState.Tests.StatusPage;

/// <summary>The handler for / on its own: what it sends for GET and HEAD.</summary>
public sealed class StatusPageEndpointTests
{
    private static readonly StatusPageDocument Page =
        StatusPageDocument.Render("/metrics", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "web-1");

    [Fact]
    public async Task Handle_Get_SendsThePageWithItsPolicy()
    {
        var context = NewContext("GET");

        await StatusPageEndpoint.Create(Page)(context);

        var response = context.Response;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.ContentType);
        Assert.Equal(Page.ContentSecurityPolicy, response.Headers.ContentSecurityPolicy.ToString());
        Assert.StartsWith("default-src 'none'; script-src 'sha256-", response.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
        Assert.Equal("no-referrer", response.Headers["Referrer-Policy"].ToString());
        Assert.Equal(Page.Html, Encoding.UTF8.GetString(((MemoryStream)response.Body).ToArray()));
        Assert.Equal(Page.Utf8.Length, response.ContentLength);
    }

    [Fact]
    public async Task Handle_Head_SendsTheHeadersWithoutTheBody()
    {
        var context = NewContext("HEAD");

        await StatusPageEndpoint.Create(Page)(context);

        Assert.Equal(Page.ContentSecurityPolicy, context.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal(Page.Utf8.Length, context.Response.ContentLength);
        Assert.Equal(0, context.Response.Body.Length);
    }

    private static DefaultHttpContext NewContext(string method)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Response.Body = new MemoryStream();
        return context;
    }
}
