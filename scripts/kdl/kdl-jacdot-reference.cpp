// Reference data for the Jacobian's time derivative: Orocos KDL's ChainJntToJacDotSolver on a
// URDF chain, for the configurations and joint velocities given on stdin. Built and run by
// scripts/make-kdl-jacdot-fixtures.ts against Debian's liborocos-kdl-dev and libkdl-parser-dev.
//
// Usage: kdl-jacdot-reference <urdf> <base> <tip>
// stdin:  one case per line: <representation> q_1 .. q_n qdot_1 .. qdot_n
//         (representation 0 HYBRID, 1 BODYFIXED, 2 INERTIAL; n = the chain's joints, in chain order)
// stdout: first line the chain's joint names; then one line per case with the 6 x n entries of
//         dJ/dt, row by row (vx vy vz wx wy wz), printed to 17 significant digits.
#include <kdl/chain.hpp>
#include <kdl/chainjnttojacdotsolver.hpp>
#include <kdl/jntarrayvel.hpp>
#include <kdl/tree.hpp>
#include <kdl_parser/kdl_parser.hpp>
#include <urdf_model/model.h>
#include <urdf_parser/urdf_parser.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) { std::fprintf(stderr, "usage: kdl-jacdot-reference urdf base tip < cases\n"); return 2; }
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  urdf::ModelInterfaceSharedPtr model = urdf::parseURDF(text.str());
  KDL::Tree tree;
  KDL::Chain chain;
  if (!model || !kdl_parser::treeFromUrdfModel(*model, tree) || !tree.getChain(argv[2], argv[3], chain)) {
    std::fprintf(stderr, "cannot build the chain %s -> %s from %s\n", argv[2], argv[3], argv[1]);
    return 1;
  }
  const unsigned n = chain.getNrOfJoints();
  for (unsigned s = 0; s < chain.getNrOfSegments(); s++) {
    const KDL::Joint& joint = chain.getSegment(s).getJoint();
    if (joint.getType() != KDL::Joint::None) std::printf("%s ", joint.getName().c_str());
  }
  std::printf("\n");
  KDL::ChainJntToJacDotSolver solver(chain);
  KDL::JntArrayVel qv(n);
  KDL::Jacobian jdot(n);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    int representation;
    in >> representation;
    for (unsigned k = 0; k < n; k++) in >> qv.q(k);
    for (unsigned k = 0; k < n; k++) in >> qv.qdot(k);
    if (!in) { std::fprintf(stderr, "bad case line: %s\n", line.c_str()); return 1; }
    solver.setRepresentation(representation);
    if (solver.JntToJacDot(qv, jdot) < 0) { std::fprintf(stderr, "JntToJacDot failed\n"); return 1; }
    for (unsigned r = 0; r < 6; r++) for (unsigned c = 0; c < n; c++) std::printf("%.17g ", jdot(r, c));
    std::printf("\n");
  }
  return 0;
}
