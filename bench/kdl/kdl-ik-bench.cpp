// Orocos KDL baseline for `npm run bench:ik`: runs KDL's joint-limited Newton-Raphson solver
// (ChainIkSolverPos_NR_JL, with random restarts inside the same time budget) and its
// Levenberg-Marquardt solver (ChainIkSolverPos_LMA, one call, unit task weights) on the targets and seeds the
// TypeScript benchmark uses, and judges every answer the same way: inside the joint limits and
// within the position and orientation tolerance of the target.
// Usage: kdl-ik-bench <urdf> <base> <tip> <cases-file> <budget-ms> <tolerance>
// cases-file (little-endian float64): n, dof, lower[dof], upper[dof], continuous[dof], then n x
// (target: 9 rotation entries row-major, 3 position; seed: dof values).
// Prints {"nrjl": {...}, "lma": {...}} with successRate, meanUs, medianUs, p99Us, outsideLimits.
#include <kdl/chain.hpp>
#include <kdl/chainfksolverpos_recursive.hpp>
#include <kdl/chainiksolverpos_lma.hpp>
#include <kdl/chainiksolverpos_nr_jl.hpp>
#include <kdl/chainiksolvervel_pinv.hpp>
#include <kdl/tree.hpp>
#include <kdl_parser/kdl_parser.hpp>
#include <urdf_parser/urdf_parser.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

struct Stats { std::vector<double> us; int ok = 0; int outside = 0; };

static void print(const char* name, Stats& s, bool comma) {
  std::sort(s.us.begin(), s.us.end());
  double sum = 0;
  for (double t : s.us) sum += t;
  size_t n = s.us.size();
  std::printf("\"%s\":{\"successRate\":%.6f,\"meanUs\":%.1f,\"medianUs\":%.1f,\"p99Us\":%.1f,\"outsideLimits\":%.6f}%s",
              name, double(s.ok) / n, sum / n, s.us[n / 2], s.us[std::min(n - 1, size_t(std::ceil(0.99 * n)) - 1)],
              double(s.outside) / n, comma ? "," : "");
}

int main(int argc, char** argv) {
  if (argc != 7) { std::fprintf(stderr, "usage: kdl-ik-bench urdf base tip cases budget-ms tolerance\n"); return 2; }
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  urdf::ModelInterfaceSharedPtr model = urdf::parseURDF(text.str());
  KDL::Tree tree;
  KDL::Chain chain;
  if (!model || !kdl_parser::treeFromUrdfModel(*model, tree) || !tree.getChain(argv[2], argv[3], chain)) {
    std::fprintf(stderr, "cannot build the chain\n");
    return 1;
  }
  std::ifstream cases(argv[4], std::ios::binary);
  std::vector<double> raw;
  double v;
  while (cases.read(reinterpret_cast<char*>(&v), sizeof v)) raw.push_back(v);
  const int n = int(raw[0]), dof = int(raw[1]);
  if (dof != int(chain.getNrOfJoints())) { std::fprintf(stderr, "dof %d vs chain %u\n", dof, chain.getNrOfJoints()); return 1; }
  const double budgetUs = std::atof(argv[5]) * 1000, tolerance = std::atof(argv[6]);
  KDL::JntArray lower(dof), upper(dof);
  std::vector<bool> continuous(dof);
  size_t o = 2;
  for (int k = 0; k < dof; k++) lower(k) = raw[o + k];
  for (int k = 0; k < dof; k++) upper(k) = raw[o + dof + k];
  for (int k = 0; k < dof; k++) continuous[k] = raw[o + 2 * dof + k] != 0;
  o += 3 * dof;
  // NR_JL needs finite limits: continuous joints get a wide range
  KDL::JntArray lowerJl = lower, upperJl = upper;
  for (int k = 0; k < dof; k++) if (continuous[k]) { lowerJl(k) = -1e6; upperJl(k) = 1e6; }
  KDL::ChainFkSolverPos_recursive fk(chain);
  KDL::ChainIkSolverVel_pinv vel(chain);
  KDL::ChainIkSolverPos_NR_JL nrjl(chain, lowerJl, upperJl, fk, vel, 100, tolerance);
  // unit task weights: LMA's default weighs orientation by 0.01, which stops it about 1e-3 rad short
  Eigen::Matrix<double, 6, 1> weights;
  weights << 1, 1, 1, 1, 1, 1;
  KDL::ChainIkSolverPos_LMA lma(chain, weights, tolerance, 500);
  std::mt19937 rng(7);
  auto judge = [&](const KDL::JntArray& q, const KDL::Frame& target, bool& outside) {
    outside = false;
    for (int k = 0; k < dof; k++) if (!continuous[k] && (q(k) < lower(k) - 1e-12 || q(k) > upper(k) + 1e-12)) outside = true;
    KDL::Frame f;
    fk.JntToCart(q, f);
    KDL::Twist d = KDL::diff(f, target);
    return !outside && d.vel.Norm() <= tolerance && d.rot.Norm() <= tolerance;
  };
  Stats nr, lm;
  for (int i = 0; i < n; i++) {
    const double* t = &raw[o];
    KDL::Frame target(KDL::Rotation(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]), KDL::Vector(t[9], t[10], t[11]));
    KDL::JntArray seed(dof), out(dof);
    for (int k = 0; k < dof; k++) seed(k) = raw[o + 12 + k];
    o += 12 + dof;
    // NR_JL with random restarts until success or the budget
    auto start = std::chrono::steady_clock::now();
    bool success = false, outside = false;
    KDL::JntArray s = seed;
    for (;;) {
      int rc = nrjl.CartToJnt(s, target, out);
      if (rc >= 0 && judge(out, target, outside)) { success = true; break; }
      double elapsed = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      if (elapsed > budgetUs) break;
      for (int k = 0; k < dof; k++) {
        std::uniform_real_distribution<double> u(continuous[k] ? -M_PI : lower(k), continuous[k] ? M_PI : upper(k));
        s(k) = u(rng);
      }
    }
    nr.us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (success) nr.ok++;
    // LMA: one call from the seed
    start = std::chrono::steady_clock::now();
    lma.CartToJnt(seed, target, out);
    lm.us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (judge(out, target, outside)) lm.ok++;
    if (outside) lm.outside++;
  }
  std::printf("{");
  print("nrjl", nr, true);
  print("lma", lm, false);
  std::printf("}\n");
  return 0;
}
