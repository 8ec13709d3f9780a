// ITK doing what bench/segment-bench.c times, on the same CT (as NIfTI):
// connected threshold [-500, 3000] HU from the volume's centre, threshold +
// connected components (face connectivity), dilation by a 3 mm ball on the
// scan's spacing (the same voxels as scikit-image's). Prints "name ms count",
// best of 3; the region growing runs on one thread, as ITK's filter does.
#include <itkBinaryDilateImageFilter.h>
#include <itkBinaryThresholdImageFilter.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkConnectedThresholdImageFilter.h>
#include <itkFlatStructuringElement.h>
#include <itkImageFileReader.h>
#include <itkImageRegionConstIterator.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>

using CtImage = itk::Image<float, 3>;
using MaskImage = itk::Image<unsigned char, 3>;
using LabelImage = itk::Image<unsigned int, 3>;

static double
best_of_3 (const std::function<void ()> &f)
{
  double best = 1e30;
  for (int i = 0; i < 3; i++)
    {
      auto t0 = std::chrono::steady_clock::now ();
      f ();
      best = std::min (best, std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - t0).count ());
    }
  return best;
}

static unsigned long
count (const MaskImage *m)
{
  unsigned long n = 0;
  for (itk::ImageRegionConstIterator<MaskImage> it (m, m->GetLargestPossibleRegion ()); !it.IsAtEnd (); ++it)
    n += it.Get () != 0;
  return n;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      std::fprintf (stderr, "usage: itk_segment CT.nii\n");
      return 2;
    }
  auto reader = itk::ImageFileReader<CtImage>::New ();
  reader->SetFileName (argv[1]);
  reader->Update ();
  CtImage::Pointer ct = reader->GetOutput ();
  auto size = ct->GetLargestPossibleRegion ().GetSize ();
  CtImage::IndexType seed = { { (long) size[0] / 2, (long) size[1] / 2, (long) size[2] / 2 } };

  MaskImage::Pointer grown;
  double ms = best_of_3 ([&] {
    auto grow = itk::ConnectedThresholdImageFilter<CtImage, MaskImage>::New ();
    grow->SetInput (ct);
    grow->SetLower (-500);
    grow->SetUpper (3000);
    grow->SetReplaceValue (1);
    grow->AddSeed (seed);
    grow->SetNumberOfWorkUnits (1);
    grow->Update ();
    grown = grow->GetOutput ();
  });
  std::printf ("grow %.1f %lu\n", ms, count (grown));

  unsigned long pieces = 0;
  ms = best_of_3 ([&] {
    auto threshold = itk::BinaryThresholdImageFilter<CtImage, MaskImage>::New ();
    threshold->SetInput (ct);
    threshold->SetLowerThreshold (-500);
    threshold->SetUpperThreshold (3000);
    auto label = itk::ConnectedComponentImageFilter<MaskImage, LabelImage>::New ();
    label->SetInput (threshold->GetOutput ());
    label->SetFullyConnected (false);
    label->Update ();
    pieces = label->GetObjectCount ();
  });
  std::printf ("components %.1f %lu\n", ms, pieces);

  /* The same ball as scikit-image's and MedTwin's: the voxels whose centre
   * lies within 3 mm on the scan's spacing. */
  auto spacing = ct->GetSpacing ();
  using Kernel = itk::FlatStructuringElement<3>;
  auto shape = Kernel::ImageType::New ();
  Kernel::ImageType::SizeType ksize;
  long r[3];
  for (int a = 0; a < 3; a++)
    {
      r[a] = (long) std::floor (3.0 / spacing[a]);
      ksize[a] = 2 * r[a] + 1;
    }
  shape->SetRegions (ksize);
  shape->Allocate ();
  for (long z = -r[2]; z <= r[2]; z++)
    for (long y = -r[1]; y <= r[1]; y++)
      for (long x = -r[0]; x <= r[0]; x++)
        {
          double d2 = std::pow (x * spacing[0], 2) + std::pow (y * spacing[1], 2) + std::pow (z * spacing[2], 2);
          Kernel::ImageType::IndexType i = { { x + r[0], y + r[1], z + r[2] } };
          shape->SetPixel (i, d2 <= 9.0001);
        }
  Kernel ball = Kernel::FromImage (shape.GetPointer ());
  MaskImage::Pointer dilated;
  ms = best_of_3 ([&] {
    auto threshold = itk::BinaryThresholdImageFilter<CtImage, MaskImage>::New ();
    threshold->SetInput (ct);
    threshold->SetLowerThreshold (-500);
    threshold->SetUpperThreshold (3000);
    threshold->SetInsideValue (1);
    threshold->SetOutsideValue (0);
    auto dilate = itk::BinaryDilateImageFilter<MaskImage, MaskImage, Kernel>::New ();
    dilate->SetInput (threshold->GetOutput ());
    dilate->SetKernel (ball);
    dilate->SetDilateValue (1);
    dilate->Update ();
    dilated = dilate->GetOutput ();
  });
  std::printf ("dilate %.1f %lu\n", ms, count (dilated));
  return 0;
}
