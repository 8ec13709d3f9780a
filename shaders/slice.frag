// A slice under a window: values (HU for CT) to grey, linear between the
// edges; with a second image on the same pixels (another scan aligned
// onto this one), the two blended, in checkerboard squares, or their
// difference.
uniform sampler2D u_slice;
uniform sampler2D u_fusion;
uniform float u_window_low;
uniform float u_window_width;
uniform float u_invert;    // 1 for MONOCHROME1
uniform float u_rgb;       // 1 for colour images, shown as they are
uniform int u_fusion_mode; // 0 off, 1 blend, 2 checkerboard, 3 difference
uniform float u_fusion_low;
uniform float u_fusion_width;
uniform float u_blend;     // the second image's share
uniform vec2 u_checker;    // squares across the image, each way
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
  if (u_fusion_mode != 0)
    {
      float second = texture (u_fusion, v_uv).r;
      float h = clamp ((second - u_fusion_low) / u_fusion_width, 0.0, 1.0);
      if (u_fusion_mode == 1)
        g = mix (g, h, u_blend);
      else if (u_fusion_mode == 2)
        {
          ivec2 square = ivec2 (floor (v_uv * u_checker));
          if (((square.x + square.y) & 1) == 1)
            g = h;
        }
      else
        // Each image under its own window, so that scans of two
        // modalities compare too; equal is mid-grey.
        g = clamp (0.5 + (g - h), 0.0, 1.0);
    }
  frag_color = vec4 (vec3 (g), 1.0);
}
