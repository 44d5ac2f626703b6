// Orocos KDL baseline for `npm run bench`: times ChainFkSolverPos_recursive and
// ChainJntToJacSolver on the same chains and in the same run as the TypeScript core.
// Built by bench/kdl-baseline.ts with g++ -O2 against Debian's liborocos-kdl-dev and
// libkdl-parser-dev. Usage: kdl-bench <urdf> <base> <tip> <seconds-per-batch>
// Prints one JSON object: {"dof", "fkNs", "jacobianNs", "jacobianDerivativeNs"} (medians over
// batches; the derivative is ChainJntToJacDotSolver in its HYBRID representation, KDL's default).
#include <kdl/chain.hpp>
#include <kdl/chainfksolverpos_recursive.hpp>
#include <kdl/chainjnttojacdotsolver.hpp>
#include <kdl/chainjnttojacsolver.hpp>
#include <kdl/jntarrayvel.hpp>
#include <kdl/tree.hpp>
#include <kdl_parser/kdl_parser.hpp>
#include <urdf_model/model.h>
#include <urdf_parser/urdf_parser.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <vector>

static double medianNsPerOp(const std::function<void(int)>& op, double secondsPerBatch) {
  using clock = std::chrono::steady_clock;
  long n = 1000;
  for (;;) {  // calibrate: grow n until a batch lasts secondsPerBatch
    auto t0 = clock::now();
    for (long i = 0; i < n; i++) op(static_cast<int>(i & 1023));
    double s = std::chrono::duration<double>(clock::now() - t0).count();
    if (s >= secondsPerBatch) break;
    n *= 2;
  }
  std::vector<double> batches;
  for (int b = 0; b < 7; b++) {
    auto t0 = clock::now();
    for (long i = 0; i < n; i++) op(static_cast<int>(i & 1023));
    batches.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / n);
  }
  std::sort(batches.begin(), batches.end());
  return batches[3];
}

int main(int argc, char** argv) {
  if (argc != 5) { std::fprintf(stderr, "usage: kdl-bench urdf base tip seconds\n"); return 2; }
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  urdf::ModelInterfaceSharedPtr model = urdf::parseURDF(text.str());  // checked: treeFromFile would crash
  KDL::Tree tree;
  KDL::Chain chain;
  if (!model || !kdl_parser::treeFromUrdfModel(*model, tree) || !tree.getChain(argv[2], argv[3], chain)) {
    std::fprintf(stderr, "cannot build the chain %s -> %s from %s\n", argv[2], argv[3], argv[1]);
    return 1;
  }
  const unsigned dof = chain.getNrOfJoints();
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> angle(-2.0, 2.0);
  std::vector<KDL::JntArray> qs(1024, KDL::JntArray(dof));
  for (auto& q : qs) for (unsigned k = 0; k < dof; k++) q(k) = angle(rng);
  std::vector<KDL::JntArrayVel> qvs(1024, KDL::JntArrayVel(dof));
  for (int i = 0; i < 1024; i++) for (unsigned k = 0; k < dof; k++) { qvs[i].q(k) = qs[i](k); qvs[i].qdot(k) = angle(rng); }
  KDL::ChainFkSolverPos_recursive fk(chain);
  KDL::ChainJntToJacSolver jac(chain);
  KDL::Frame frame;
  KDL::Jacobian J(dof), Jdot(dof);
  KDL::ChainJntToJacDotSolver jacDot(chain);
  double sink = 0;
  const double seconds = std::atof(argv[4]);
  double fkNs = medianNsPerOp([&](int i) { fk.JntToCart(qs[i], frame); sink += frame.p.z(); }, seconds);
  double jacNs = medianNsPerOp([&](int i) { jac.JntToJac(qs[i], J); sink += J(0, 0); }, seconds);
  double jacDotNs = medianNsPerOp([&](int i) { jacDot.JntToJacDot(qvs[i], Jdot); sink += Jdot(0, 0); }, seconds);
  std::printf("{\"dof\":%u,\"fkNs\":%.1f,\"jacobianNs\":%.1f,\"jacobianDerivativeNs\":%.1f,\"sink\":%d}\n", dof, fkNs, jacNs, jacDotNs, sink != 0.123 ? 1 : 0);
  return 0;
}
