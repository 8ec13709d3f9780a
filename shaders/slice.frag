// A slice under a window: values (HU for CT) to grey, linear between the edges.
uniform sampler2D u_slice;
uniform float u_window_low;
uniform float u_window_width;
uniform float u_invert;    // 1 for MONOCHROME1
uniform float u_rgb;       // 1 for colour images, shown as they are
in vec2 v_uv;
out vec4 frag_color;

void
main ()
{
  if (u_rgb > 0.5)
    {
      frag_color = vec4 (texture (u_slice, v_uv).rgb, 1.0);
      return;
    }
  float value = texture (u_slice, v_uv).r;
  float g = clamp ((value - u_window_low) / u_window_width, 0.0, 1.0);
  g = mix (g, 1.0 - g, u_invert);
  frag_color = vec4 (vec3 (g), 1.0);
}
